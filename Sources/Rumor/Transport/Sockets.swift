import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A socket could not be set up or used; the message says what and why
/// in words a user can act on.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What went wrong.
  public var message: String

  /// Creates an error.
  public init(_ message: String) {
    self.message = message
  }

  /// The message.
  public var description: String { message }
}

/// The few socket operations the node needs, on raw descriptors, all
/// non-blocking: the event loop owns the descriptors and closes them.
enum Sockets {
  private static var streamType: Int32 { Int32(SOCK_STREAM.rawValue) }
  private static var datagramType: Int32 { Int32(SOCK_DGRAM.rawValue) }
  private static var flags: Int32 { Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue) }

  /// A UDP socket bound to `address`, with a receive buffer as large as
  /// the system allows up to 2 MiB (memberlist's choice).
  static func udp(boundTo address: NodeAddress) throws(TransportError) -> Int32 {
    let descriptor = socket(SocketAddress.family(of: address), datagramType | flags, 0)
    guard descriptor >= 0 else {
      throw TransportError("cannot create a UDP socket: \(SocketAddress.errorText())")
    }
    reuseAddress(descriptor)
    try bind(descriptor, to: address, kind: "UDP")
    var size: Int32 = 2 << 20
    while size >= 64 << 10 {
      if setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        == 0
      {
        break
      }
      size /= 2
    }
    // Queue ICMP errors about sent datagrams ("port unreachable": the
    // process at that address is gone) for `takeError(on:)`; without this,
    // Linux reports none on an unconnected socket.
    var on: Int32 = 1
    let (level, option) =
      SocketAddress.family(of: address) == AF_INET6
      ? (Int32(IPPROTO_IPV6), Int32(IPV6_RECVERR)) : (Int32(IPPROTO_IP), Int32(IP_RECVERR))
    _ = setsockopt(descriptor, level, option, &on, socklen_t(MemoryLayout<Int32>.size))
    return descriptor
  }

  /// Takes one error from a UDP socket's error queue: its errno, and the
  /// address the datagram that caused it was sent to. Nil when the queue
  /// is empty. The control data is read by hand (Swift has no CMSG
  /// macros): `cmsghdr` (length, level, type), then `sock_extended_err`,
  /// whose first field is the errno.
  static func takeError(on descriptor: Int32) -> (code: Int32, target: NodeAddress?)? {
    var storage = sockaddr_storage()
    var control = [UInt8](repeating: 0, count: 512)
    var payload = [UInt8](repeating: 0, count: 64)
    var controlLength = 0
    let received = withUnsafeMutablePointer(to: &storage) { name in
      payload.withUnsafeMutableBytes { data in
        control.withUnsafeMutableBytes { controlBytes in
          var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
          return withUnsafeMutablePointer(to: &vector) { vectorPointer in
            var message = msghdr()
            message.msg_name = UnsafeMutableRawPointer(name)
            message.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            message.msg_iov = vectorPointer
            message.msg_iovlen = 1
            message.msg_control = controlBytes.baseAddress
            message.msg_controllen = controlBytes.count
            let count = recvmsg(descriptor, &message, Int32(MSG_ERRQUEUE | MSG_DONTWAIT))
            controlLength = min(Int(message.msg_controllen), controlBytes.count)
            return count
          }
        }
      }
    }
    guard received >= 0 else { return nil }
    let header = MemoryLayout<cmsghdr>.size
    var offset = 0
    var code: Int32 = 0
    while offset + header + 4 <= controlLength {
      let length = control.withUnsafeBytes {
        $0.loadUnaligned(fromByteOffset: offset, as: Int.self)
      }
      let level = control.withUnsafeBytes {
        $0.loadUnaligned(fromByteOffset: offset + 8, as: Int32.self)
      }
      let type = control.withUnsafeBytes {
        $0.loadUnaligned(fromByteOffset: offset + 12, as: Int32.self)
      }
      guard length >= header, length <= controlLength - offset else { break }
      if (level == Int32(IPPROTO_IP) && type == Int32(IP_RECVERR))
        || (level == Int32(IPPROTO_IPV6) && type == Int32(IPV6_RECVERR))
      {
        code = Int32(
          bitPattern: control.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: offset + header, as: UInt32.self)
          })
        break
      }
      // Each message is padded to a multiple of the word size.
      offset += (length + 7) & ~7
    }
    return (code, SocketAddress.address(from: storage))
  }

  /// A TCP socket listening on `address`.
  static func listener(boundTo address: NodeAddress) throws(TransportError) -> Int32 {
    let descriptor = socket(SocketAddress.family(of: address), streamType | flags, 0)
    guard descriptor >= 0 else {
      throw TransportError("cannot create a TCP socket: \(SocketAddress.errorText())")
    }
    reuseAddress(descriptor)
    try bind(descriptor, to: address, kind: "TCP")
    guard listen(descriptor, 128) == 0 else {
      let error = SocketAddress.errorText()
      close(descriptor)
      throw TransportError("cannot listen on \(address): \(error)")
    }
    return descriptor
  }

  private static func reuseAddress(_ descriptor: Int32) {
    var on: Int32 = 1
    _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
  }

  private static func bind(_ descriptor: Int32, to address: NodeAddress, kind: String)
    throws(TransportError)
  {
    let result = SocketAddress.withSockaddr(address) { pointer, length in
      Glibc.bind(descriptor, pointer, length)
    }
    guard result == 0 else {
      let code = errno
      close(descriptor)
      let hint =
        code == EADDRINUSE
        ? " (another process uses this port; pick another with --bind)"
        : code == EADDRNOTAVAIL ? " (this machine has no such address)" : ""
      throw TransportError(
        "cannot bind \(kind) \(address): \(SocketAddress.errorText(code))\(hint)")
    }
  }

  /// The local address a socket is bound to (for port 0 binds).
  static func localAddress(of descriptor: Int32) -> NodeAddress? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &storage) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getsockname(descriptor, $0, &length)
      }
    }
    return result == 0 ? SocketAddress.address(from: storage) : nil
  }

  /// Sends one datagram; false if the kernel refused it (a full buffer or
  /// an unreachable address: UDP is best effort either way).
  static func send(_ bytes: [UInt8], to address: NodeAddress, on descriptor: Int32) -> Bool {
    bytes.withUnsafeBytes { raw in
      SocketAddress.withSockaddr(address) { pointer, length in
        // With IP_RECVERR, an ICMP error about an earlier datagram (to any
        // address) makes the next send fail once with that error instead
        // of sending; the second attempt sends.
        for _ in 0..<2 {
          let sent = sendto(
            descriptor, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), pointer, length)
          if sent == raw.count { return true }
          guard errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH else {
            return false
          }
        }
        return false
      }
    }
  }

  /// Writes what the socket takes of `count` bytes at `bytes` on a
  /// connected socket: `send` with `MSG_NOSIGNAL`, so that a peer that
  /// reset the connection makes this fail with EPIPE instead of raising
  /// SIGPIPE, whose default action ends the whole process (the host's
  /// signal dispositions are left alone). Returns what `send` returns.
  static func sendSome(on descriptor: Int32, _ bytes: UnsafeRawPointer?, count: Int) -> Int {
    Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
  }

  /// Reads one datagram into `buffer`; nil when nothing is waiting.
  static func receive(on descriptor: Int32, into buffer: inout [UInt8]) -> (
    count: Int, from: NodeAddress?
  )? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let count = buffer.withUnsafeMutableBytes { raw in
      withUnsafeMutablePointer(to: &storage) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          recvfrom(descriptor, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &length)
        }
      }
    }
    guard count >= 0 else { return nil }
    return (count, SocketAddress.address(from: storage))
  }

  /// Starts a non-blocking connection; returns the descriptor, or the
  /// errno of a connection that failed at once.
  static func connect(to address: NodeAddress) -> Result<Int32, TransportError> {
    let descriptor = socket(SocketAddress.family(of: address), streamType | flags, 0)
    guard descriptor >= 0 else {
      return .failure(TransportError("cannot create a TCP socket: \(SocketAddress.errorText())"))
    }
    var noDelay: Int32 = 1
    _ = setsockopt(
      descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    let result = SocketAddress.withSockaddr(address) { pointer, length in
      Glibc.connect(descriptor, pointer, length)
    }
    if result == 0 || errno == EINPROGRESS {
      return .success(descriptor)
    }
    let error = TransportError(SocketAddress.errorText())
    close(descriptor)
    return .failure(error)
  }

  /// The outcome of a non-blocking connect, once the socket is writable:
  /// 0 when connected, else the errno.
  static func connectionError(of descriptor: Int32) -> Int32 {
    var code: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
    return code
  }

  /// Accepts one waiting connection, non-blocking; nil when none waits.
  static func accept(on listener: Int32) -> (descriptor: Int32, from: NodeAddress?)? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let descriptor = withUnsafeMutablePointer(to: &storage) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.accept(listener, $0, &length)
      }
    }
    guard descriptor >= 0 else { return nil }
    // accept4 is not exported to Swift here; set the flags by hand.
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    return (descriptor, SocketAddress.address(from: storage))
  }
}
