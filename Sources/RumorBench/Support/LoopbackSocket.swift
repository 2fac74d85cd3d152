#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// TCP sockets on 127.0.0.1, the only address the benchmarks talk to.
enum LoopbackSocket {
  /// 127.0.0.1 and `port` as a socket address.
  static func address(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    return address
  }

  /// A new TCP socket, or an error naming `errno`.
  static func open() throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw BenchError("socket: \(lastError())") }
    return descriptor
  }

  /// A port that was free a moment ago: the kernel picks one for a
  /// socket bound to port 0, which is closed again. Another process could
  /// take it before redis-server binds it; redis-server then exits and
  /// the run says so rather than measuring something else.
  static func freePort() throws -> UInt16 {
    let descriptor = try open()
    defer { close(descriptor) }
    var address = address(port: 0)
    let bound = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        bind(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0 else { throw BenchError("bind 127.0.0.1:0: \(lastError())") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        getsockname(descriptor, generic, &length)
      }
    }
    guard named == 0 else { throw BenchError("getsockname: \(lastError())") }
    return UInt16(bigEndian: address.sin_port)
  }

  /// A socket connected to 127.0.0.1:`port`, with Nagle off (each request
  /// is one small write that must leave at once) and `timeoutSeconds` on
  /// reads and writes, so that a stuck server fails the run instead of
  /// hanging it.
  static func openConnection(port: UInt16, timeoutSeconds: Int) throws -> Int32 {
    let descriptor = try open()
    var address = address(port: port)
    let connected = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
        connect(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      let reason = lastError()
      close(descriptor)
      throw BenchError("connect 127.0.0.1:\(port): \(reason)")
    }
    var on: Int32 = 1
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    let options = [
      setsockopt(
        descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)),
      setsockopt(
        descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)),
      setsockopt(
        descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)),
    ]
    guard options.allSatisfy({ $0 == 0 }) else {
      let reason = lastError()
      close(descriptor)
      throw BenchError("setsockopt: \(reason)")
    }
    return descriptor
  }

  /// The text of the current `errno`.
  static func lastError() -> String {
    let code = errno
    return String(cString: strerror(code)) + " (errno \(code))"
  }
}
