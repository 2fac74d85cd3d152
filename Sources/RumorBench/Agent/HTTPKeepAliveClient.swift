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
  private var buffer = [UInt8](repeating: 0, count: 65_536)
  private var pending: [UInt8] = []

  /// Connects to 127.0.0.1:`port`.
  init(port: UInt16) throws {
    descriptor = try LoopbackSocket.openConnection(port: port, timeoutSeconds: 5)
  }

  /// Sends `request` and returns the reply's body; throws on a non-200
  /// status, a closed connection or a timeout.
  func exchange(_ request: [UInt8]) throws -> [UInt8] {
    let sent = request.withUnsafeBytes {
      send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
    guard sent == request.count else { throw BenchError("send: \(LoopbackSocket.lastError())") }
    while true {
      if let (status, body, used) = Self.reply(in: pending) {
        pending.removeFirst(used)
        guard status == 200 else { throw BenchError("HTTP \(status)") }
        return body
      }
      let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      guard count > 0 else {
        throw BenchError("recv: \(count == 0 ? "closed" : LoopbackSocket.lastError())")
      }
      pending.append(contentsOf: buffer[0..<count])
    }
  }

  /// The status, body and bytes used of the first whole reply in `bytes`.
  private static func reply(in bytes: [UInt8]) -> (Int, [UInt8], Int)? {
    guard bytes.count >= 4 else { return nil }
    var end: Int?
    for index in 0...(bytes.count - 4)
    where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13
      && bytes[index + 3] == 10
    {
      end = index
      break
    }
    guard let end else { return nil }
    let head = String(decoding: bytes[0..<end], as: UTF8.self)
    let lines = head.split(separator: "\r\n")
    guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
      let status = Int(statusLine.split(separator: " ")[1])
    else { return nil }
    var length = 0
    for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
      length = Int(line.dropFirst("content-length:".count).drop { $0 == " " }) ?? 0
    }
    guard bytes.count >= end + 4 + length else { return nil }
    return (status, Array(bytes[(end + 4)..<(end + 4 + length)]), end + 4 + length)
  }

  /// Closes the connection.
  func close() { _ = Glibc.close(descriptor) }
}
