#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A UDP socket connected to a DNS server on loopback, for timing
/// queries: sends one and waits for the answer.
final class DNSClient {
  private let descriptor: Int32
  private var buffer = [UInt8](repeating: 0, count: 4_096)

  /// A socket connected to 127.0.0.1:`port`, with a 5 s receive timeout.
  init(port: UInt16) throws {
    descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { throw BenchError("socket: \(LoopbackSocket.lastError())") }
    var address = LoopbackSocket.address(port: port)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    let set = setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    guard connected == 0, set == 0 else {
      let reason = LoopbackSocket.lastError()
      _ = Glibc.close(descriptor)
      throw BenchError("connect 127.0.0.1:\(port): \(reason)")
    }
  }

  /// Sends `query` and returns the answer's bytes.
  func exchange(_ query: [UInt8]) throws -> [UInt8] {
    let sent = query.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    guard sent == query.count else { throw BenchError("send: \(LoopbackSocket.lastError())") }
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 12 else { throw BenchError("recv: \(LoopbackSocket.lastError())") }
    return Array(buffer[0..<count])
  }

  /// Closes the socket.
  func close() { _ = Glibc.close(descriptor) }
}
