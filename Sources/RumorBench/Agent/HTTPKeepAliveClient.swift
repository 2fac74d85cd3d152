#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One keep-alive HTTP/1.1 connection to a server on loopback, for timing
/// requests: writes a request and reads one whole reply (its head, then
/// `Content-Length` bytes).
final class HTTPKeepAliveClient {
  private let descriptor: Int32
  /// Received bytes; `start..<end` is not yet used. Rewound to the front
  /// when everything was used, so it never grows for small replies.
  private var buffer = [UInt8](repeating: 0, count: 65_536)
  private var start = 0
  private var end = 0

  /// Connects to 127.0.0.1:`port`.
  init(port: UInt16) throws {
    descriptor = try LoopbackSocket.openConnection(port: port, timeoutSeconds: 5)
  }

  /// Sends `request` and returns the reply body's length; throws on a
  /// non-200 status, a closed connection, a reply larger than the buffer
  /// or a timeout. The reply is read in place, with no copy and no
  /// string: the client's share of the time is its two system calls.
  func exchange(_ request: [UInt8]) throws -> Int {
    let sent = request.withUnsafeBytes {
      send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
    guard sent == request.count else { throw BenchError("send: \(LoopbackSocket.lastError())") }
    if start == end {
      start = 0
      end = 0
    }
    while true {
      if let (status, bodyLength, used) = reply() {
        start += used
        guard status == 200 else { throw BenchError("HTTP \(status)") }
        return bodyLength
      }
      guard end < buffer.count else { throw BenchError("a reply larger than the buffer") }
      let count = buffer.withUnsafeMutableBytes {
        recv(descriptor, $0.baseAddress.map { $0 + end }, $0.count - end, 0)
      }
      guard count > 0 else {
        throw BenchError("recv: \(count == 0 ? "closed" : LoopbackSocket.lastError())")
      }
      end += count
    }
  }

  /// The status, body length and bytes used of the whole reply at
  /// `start`, if it has all arrived.
  private func reply() -> (Int, Int, Int)? {
    // "HTTP/1.1 200 " is the shortest status line.
    guard end - start >= 16 else { return nil }
    var headEnd: Int?
    var index = start
    while index + 3 < end {
      if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13
        && buffer[index + 3] == 10
      {
        headEnd = index
        break
      }
      index += 1
    }
    guard let headEnd else { return nil }
    var status = 0
    for offset in 9..<12 {
      let digit = Int(buffer[start + offset]) - 48
      guard (0...9).contains(digit) else { return nil }
      status = status * 10 + digit
    }
    let length = contentLength(in: start..<headEnd) ?? 0
    let used = headEnd + 4 + length - start
    guard end - start >= used else { return nil }
    return (status, length, used)
  }

  private static let contentLengthName = Array("content-length:".utf8)

  /// The value of `Content-Length` in the head's `range`, if present.
  private func contentLength(in range: Range<Int>) -> Int? {
    let name = Self.contentLengthName
    var lineStart = range.lowerBound
    while lineStart < range.upperBound {
      var lineEnd = lineStart
      while lineEnd < range.upperBound && buffer[lineEnd] != 13 { lineEnd += 1 }
      if lineEnd - lineStart > name.count {
        var matches = true
        for (offset, byte) in name.enumerated() where buffer[lineStart + offset] | 0x20 != byte {
          matches = false
          break
        }
        if matches {
          var value = 0
          for byte in buffer[(lineStart + name.count)..<lineEnd] where byte != 32 {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
          }
          return value
        }
      }
      lineStart = lineEnd + 2
    }
    return nil
  }

  /// Closes the connection.
  func close() { _ = Glibc.close(descriptor) }
}
