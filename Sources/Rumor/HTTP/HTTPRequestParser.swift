/// A strict, incremental HTTP/1.1 request reader: bytes go in as they
/// arrive, whole requests come out. Everything it does not need is
/// refused rather than guessed at: a line must end in CR LF, header names
/// are tokens with no space before the colon, no folded lines, no
/// `Transfer-Encoding` (a body needs `Content-Length`, given once),
/// HTTP/1.1 needs `Host`. Each refusal carries the status to answer.
///
/// Bounded: the head may hold `maximumHead` bytes and `maximumHeaders`
/// fields, the body `maximumBody` bytes; the blank line ending the head
/// is searched for once per byte however the bytes are split into reads,
/// so a request sent a byte at a time costs no more than one sent at once.
/// The fuzz target `http` (Tests/Fuzz) runs it.
public struct HTTPRequestParser: Sendable {
  /// What feeding bytes gave.
  public enum Outcome: Sendable, Hashable {
    /// More bytes are needed.
    case incomplete
    /// A whole request; its bytes are consumed, later ones kept.
    case request(HTTPRequest)
    /// Not a request this server takes: answer `status` with `reason`
    /// and close the connection.
    case invalid(status: Int, reason: String)
  }

  /// The most bytes the request line and headers may take.
  public var maximumHead: Int
  /// The most body bytes a request may carry.
  public var maximumBody: Int
  /// The most header fields.
  public var maximumHeaders: Int

  /// Bytes received and not yet consumed.
  private(set) var buffer: [UInt8] = []
  /// Where the search for the blank line resumes.
  private var searched = 0
  /// A head already parsed, waiting for its body.
  private var pending: (request: HTTPRequest, bodyLength: Int)?

  /// A reader with the given limits.
  public init(maximumHead: Int = 16_384, maximumBody: Int = 65_536, maximumHeaders: Int = 64) {
    self.maximumHead = maximumHead
    self.maximumBody = maximumBody
    self.maximumHeaders = maximumHeaders
  }

  /// Whether some bytes of a request have arrived (a started request has
  /// a deadline; an idle connection another).
  public var hasPartialRequest: Bool { !buffer.isEmpty || pending != nil }

  /// Adds received bytes.
  public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
    buffer.append(contentsOf: bytes)
  }

  /// The next whole request, if the bytes hold one.
  public mutating func next() -> Outcome {
    if pending == nil {
      if sawBareLineFeed {
        return .invalid(status: 400, reason: "a line ends in LF without CR")
      }
      guard let end = headEnd() else {
        if sawBareLineFeed {
          return .invalid(status: 400, reason: "a line ends in LF without CR")
        }
        return buffer.count > maximumHead
          ? .invalid(status: 431, reason: "the request head is over \(maximumHead) bytes")
          : .incomplete
      }
      guard end <= maximumHead else {
        return .invalid(status: 431, reason: "the request head is over \(maximumHead) bytes")
      }
      switch Self.parseHead(buffer[0..<end], maximumHeaders: maximumHeaders) {
      case .failure(let error): return .invalid(status: error.status, reason: error.reason)
      case .success(let (request, length)):
        guard length <= maximumBody else {
          return .invalid(status: 413, reason: "the body is over \(maximumBody) bytes")
        }
        buffer.removeFirst(end + 4)
        searched = 0
        pending = (request, length)
      }
    }
    guard let (request, length) = pending, buffer.count >= length else { return .incomplete }
    var whole = request
    whole.body = Array(buffer[0..<length])
    buffer.removeFirst(length)
    pending = nil
    return .request(whole)
  }

  /// The offset of the CR LF CR LF that ends the head, searching only
  /// bytes not searched before. A line feed without its carriage return
  /// is noted (`sawBareLineFeed`) as soon as it arrives: such a head
  /// would never end, and waiting for it would only hold a slot.
  private mutating func headEnd() -> Int? {
    while searched < buffer.count {
      let start = searched
      if buffer[start] == 10 && (start == 0 || buffer[start - 1] != 13) {
        sawBareLineFeed = true
        return nil
      }
      if buffer[start] == 13 {
        // A possible end: wait until its four bytes are here (at most
        // three bytes are looked at again).
        guard start + 3 < buffer.count else { return nil }
        if buffer[start + 1] == 10 && buffer[start + 2] == 13 && buffer[start + 3] == 10 {
          return start
        }
      }
      searched += 1
    }
    return nil
  }

  /// A line feed without a carriage return came before the head's end.
  private var sawBareLineFeed = false

  /// Why a head was refused.
  struct Refusal: Error {
    let status: Int
    let reason: String
    init(_ status: Int, _ reason: String) {
      self.status = status
      self.reason = reason
    }
  }

  /// The request line and header fields (without the final CR LF CR LF),
  /// and the body length they announce.
  static func parseHead(_ head: ArraySlice<UInt8>, maximumHeaders: Int) -> Result<
    (HTTPRequest, Int), Refusal
  > {
    var lines: [ArraySlice<UInt8>] = []
    var lineStart = head.startIndex
    var index = head.startIndex
    while index < head.endIndex {
      let byte = head[index]
      if byte == 13 {
        guard index + 1 < head.endIndex, head[index + 1] == 10 else {
          return .failure(Refusal(400, "a bare CR in the request head"))
        }
        lines.append(head[lineStart..<index])
        index += 2
        lineStart = index
        continue
      }
      if byte == 10 { return .failure(Refusal(400, "a line ends in LF without CR")) }
      index += 1
    }
    lines.append(head[lineStart..<head.endIndex])
    guard let requestLine = lines.first else { return .failure(Refusal(400, "no request line")) }
    let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
    guard parts.count == 3 else {
      return .failure(Refusal(400, "the request line is not METHOD TARGET VERSION"))
    }
    let method = parts[0]
    guard (1...16).contains(method.count), method.allSatisfy({ (65...90).contains($0) }) else {
      return .failure(Refusal(400, "the method is not an upper-case word"))
    }
    let target = parts[1]
    guard target.first == 47, target.allSatisfy({ (0x21...0x7E).contains($0) }) else {
      return .failure(Refusal(400, "the target is not an absolute path of visible ASCII"))
    }
    let version = String(decoding: parts[2], as: UTF8.self)
    guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
      return .failure(Refusal(505, "only HTTP/1.1 and HTTP/1.0 are spoken"))
    }
    let fields = lines.dropFirst()
    guard fields.count <= maximumHeaders else {
      return .failure(Refusal(431, "more than \(maximumHeaders) header fields"))
    }
    var headers: [String: String] = [:]
    var contentLength: Int?
    for field in fields {
      guard let colon = field.firstIndex(of: 58) else {
        return .failure(Refusal(400, "a header field without a colon"))
      }
      let name = field[field.startIndex..<colon]
      guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
        return .failure(Refusal(400, "a header name that is not a token (or a folded line)"))
      }
      var value = field[(colon + 1)...]
      while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
      while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
      guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
        return .failure(Refusal(400, "a control character in a header value"))
      }
      let key = String(decoding: name, as: UTF8.self).lowercased()
      let text = String(decoding: value, as: UTF8.self)
      switch key {
      case "content-length":
        guard contentLength == nil else {
          return .failure(Refusal(400, "Content-Length given twice"))
        }
        guard (1...18).contains(value.count), value.allSatisfy({ (48...57).contains($0) }),
          let length = Int(text)
        else { return .failure(Refusal(400, "Content-Length is not a number")) }
        contentLength = length
      case "transfer-encoding":
        return .failure(
          Refusal(501, "Transfer-Encoding is not supported; send a Content-Length"))
      default: break
      }
      if let earlier = headers[key] {
        headers[key] = earlier + ", " + text
      } else {
        headers[key] = text
      }
    }
    if version == "HTTP/1.1" && headers["host"] == nil {
      return .failure(Refusal(400, "an HTTP/1.1 request without Host"))
    }
    // `Connection` is a list of options; most requests send none.
    let options =
      headers["connection"].map { value in
        value.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
      } ?? []
    let keepAlive =
      version == "HTTP/1.1" ? !options.contains("close") : options.contains("keep-alive")
    let request = HTTPRequest(
      method: String(decoding: method, as: UTF8.self),
      target: String(decoding: target, as: UTF8.self), headers: headers, keepAlive: keepAlive)
    return .success((request, contentLength ?? 0))
  }

  /// RFC 9110's `tchar`.
  private static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 48...57, 65...90, 97...122: true
    case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
    default: false
    }
  }

  /// `text` with `%XX` escapes decoded (and `+` as a space in a query);
  /// nil for a broken escape or bytes that are not UTF-8.
  public static func percentDecoded<Text: StringProtocol>(_ text: Text, plusIsSpace: Bool)
    -> String?
  {
    // Most segments have nothing to decode.
    if !text.utf8.contains(where: { $0 == 37 || ($0 == 43 && plusIsSpace) }) {
      return String(text)
    }
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      switch byte {
      case 37:
        guard let high = iterator.next().flatMap(hexValue),
          let low = iterator.next().flatMap(hexValue)
        else { return nil }
        bytes.append(high << 4 | low)
      case 43 where plusIsSpace: bytes.append(32)
      default: bytes.append(byte)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 48...57: byte - 48
    case 65...70: byte - 55
    case 97...102: byte - 87
    default: nil
    }
  }
}

extension Substring {
  /// Without leading and trailing spaces and tabs.
  fileprivate func trimmingSpaces() -> Substring {
    var trimmed = self
    while let first = trimmed.first, first == " " || first == "\t" { trimmed = trimmed.dropFirst() }
    while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
    return trimmed
  }
}
