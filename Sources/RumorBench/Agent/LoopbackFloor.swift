import Rumor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The least a server can do per request over a loopback socket, timed
/// with the same clients as the agent: the floor under any answer over
/// HTTP or DNS on this machine.
///
/// A thread of this process answers, as the agent's server threads do:
/// - `tcp`: one connection; each read (one whole request from the
///   benchmark's client) gets one write of a canned HTTP reply, with no
///   parsing. With `poll`, the thread waits in `poll` before each read,
///   as an event loop serving many connections must.
/// - `udp`: each datagram is sent back as it came.
///
/// The thread ends when its client closes the connection (TCP) or sends
/// an empty datagram (UDP, `stop()`).
final class LoopbackFloor {
  /// The port it answers on (127.0.0.1).
  let port: UInt16
  private let descriptor: Int32
  private let udp: Bool

  /// The reply to every TCP request: what `GET /v1/url/bench` answers,
  /// head and all.
  static let cannedReply = Array(
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 22\r\n\r\nhttp://127.0.0.1:8042\n"
      .utf8)

  /// A TCP floor: listens on a free port and serves one connection.
  static func tcp(poll: Bool) throws -> LoopbackFloor {
    let listener = try LoopbackSocket.open()
    var on: Int32 = 1
    _ = setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    let port = try bindLoopback(listener)
    guard listen(listener, 4) == 0 else {
      let reason = LoopbackSocket.lastError()
      close(listener)
      throw BenchError("listen: \(reason)")
    }
    do {
      try OwnerThread.start(name: "floor-tcp") { serveTCP(listener: listener, poll: poll) }
    } catch {
      close(listener)
      throw BenchError("\(error)")
    }
    return LoopbackFloor(port: port, descriptor: listener, udp: false)
  }

  /// A UDP floor: echoes datagrams on a free port.
  static func udp() throws -> LoopbackFloor {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard socket >= 0 else { throw BenchError("socket: \(LoopbackSocket.lastError())") }
    let port = try bindLoopback(socket)
    do {
      try OwnerThread.start(name: "floor-udp") { serveUDP(socket) }
    } catch {
      close(socket)
      throw BenchError("\(error)")
    }
    return LoopbackFloor(port: port, descriptor: socket, udp: true)
  }

  private init(port: UInt16, descriptor: Int32, udp: Bool) {
    self.port = port
    self.descriptor = descriptor
    self.udp = udp
  }

  /// Ends a UDP floor's thread (a TCP floor's ends with its connection).
  func stop() {
    guard udp else { return }
    var address = LoopbackSocket.address(port: port)
    let stopper = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard stopper >= 0 else { return }
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(stopper, nil, 0, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    close(stopper)
  }

  /// Binds `descriptor` to 127.0.0.1 on a free port and returns it;
  /// closes it on failure.
  private static func bindLoopback(_ descriptor: Int32) throws -> UInt16 {
    var address = LoopbackSocket.address(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(descriptor, $0, &length)
      }
    }
    guard bound == 0, named == 0 else {
      let reason = LoopbackSocket.lastError()
      close(descriptor)
      throw BenchError("bind 127.0.0.1:0: \(reason)")
    }
    return UInt16(bigEndian: address.sin_port)
  }

  private static func serveTCP(listener: Int32, poll usePoll: Bool) {
    let connection = accept(listener, nil, nil)
    close(listener)
    guard connection >= 0 else { return }
    var on: Int32 = 1
    _ = setsockopt(
      connection, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    var buffer = [UInt8](repeating: 0, count: 16_384)
    let reply = cannedReply
    buffer.withUnsafeMutableBytes { input in
      reply.withUnsafeBytes { output in
        while true {
          if usePoll {
            var entry = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 10_000) > 0 else { break }
          }
          guard read(connection, input.baseAddress, input.count) > 0 else { break }
          guard send(connection, output.baseAddress, output.count, Int32(MSG_NOSIGNAL)) > 0
          else { break }
        }
      }
    }
    close(connection)
  }

  private static func serveUDP(_ socket: Int32) {
    var buffer = [UInt8](repeating: 0, count: 4_096)
    buffer.withUnsafeMutableBytes { raw in
      while true {
        var from = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = withUnsafeMutablePointer(to: &from) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            recvfrom(socket, raw.baseAddress, raw.count, 0, $0, &length)
          }
        }
        guard count > 0 else { break }
        _ = withUnsafePointer(to: &from) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(socket, raw.baseAddress, count, 0, $0, length)
          }
        }
      }
    }
    close(socket)
  }
}
