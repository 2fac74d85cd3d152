import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Conversions between `NodeAddress` and the C socket address structures.
enum SocketAddress {
  /// The address family `address` needs.
  static func family(of address: NodeAddress) -> Int32 {
    address.isIPv4 ? AF_INET : AF_INET6
  }

  /// Calls `body` with `address` as a `sockaddr` and its length.
  static func withSockaddr<Result>(
    _ address: NodeAddress, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
  ) -> Result {
    if address.isIPv4 {
      var ipv4 = sockaddr_in()
      ipv4.sin_family = sa_family_t(AF_INET)
      ipv4.sin_port = address.port.bigEndian
      address.withIPBytes { raw in
        withUnsafeMutableBytes(of: &ipv4.sin_addr) { $0.copyMemory(from: raw) }
      }
      return withUnsafePointer(to: &ipv4) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    var ipv6 = sockaddr_in6()
    ipv6.sin6_family = sa_family_t(AF_INET6)
    ipv6.sin6_port = address.port.bigEndian
    address.withIPBytes { raw in
      withUnsafeMutableBytes(of: &ipv6.sin6_addr) { $0.copyMemory(from: raw) }
    }
    return withUnsafePointer(to: &ipv6) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
      }
    }
  }

  /// The node address in a `sockaddr_storage` the kernel filled in; nil
  /// for families other than IPv4 and IPv6.
  static func address(from storage: sockaddr_storage) -> NodeAddress? {
    var copy = storage
    switch Int32(storage.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &copy) { pointer in
        pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
          let bytes = withUnsafeBytes(of: ipv4.pointee.sin_addr) { Array($0) }
          return NodeAddress(ip: bytes, port: UInt16(bigEndian: ipv4.pointee.sin_port))
        }
      }
    case AF_INET6:
      return withUnsafePointer(to: &copy) { pointer in
        pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
          let bytes = withUnsafeBytes(of: ipv6.pointee.sin6_addr) { Array($0) }
          let port = UInt16(bigEndian: ipv6.pointee.sin6_port)
          // A v4-mapped address (::ffff:a.b.c.d) is the IPv4 peer of a
          // dual-stack socket: reply to it as IPv4.
          if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return NodeAddress(ip: Array(bytes[12..<16]), port: port)
          }
          return NodeAddress(ip: bytes, port: port)
        }
      }
    default:
      return nil
    }
  }

  /// The text of the last system error, e.g. "Address already in use".
  static func errorText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
  }
}
