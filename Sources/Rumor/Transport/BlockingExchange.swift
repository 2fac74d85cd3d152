import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One short TCP exchange with a deadline, for callers off the node's
/// thread (queries, health checks): connect, write a request, read until
/// the reply is complete or the peer closes. Blocking; run it on a
/// dispatch queue, never on a cooperative thread.
struct BlockingExchange {
  let peer: NodeAddress
  let deadline: Int64

  /// Prepares an exchange that must be over within `timeout`.
  init(peer: NodeAddress, timeout: Duration) {
    self.peer = peer
    self.deadline = Self.monotonicNanoseconds() + timeout.nanosecondsClamped
  }

  /// Connects, writes `request`, and reads until `isComplete` says the
  /// bytes so far are a whole reply (or the peer closes). Returns what was
  /// read, or why it failed.
  func run(
    _ request: [UInt8], maximumReply: Int = 21 << 20,
    isComplete: ([UInt8]) -> Bool = { _ in false }
  ) -> Result<[UInt8], TransportError> {
    let descriptor: Int32
    switch Sockets.connect(to: peer) {
    case .success(let connected): descriptor = connected
    case .failure(let error):
      return .failure(TransportError("cannot connect to \(peer): \(error.message)"))
    }
    defer { close(descriptor) }
    var connecting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
    guard wait(&connecting) else {
      return .failure(TransportError("cannot connect to \(peer): timed out"))
    }
    let code = Sockets.connectionError(of: descriptor)
    guard code == 0 else {
      return .failure(
        TransportError("cannot connect to \(peer): \(SocketAddress.errorText(code))"))
    }
    var written = 0
    while written < request.count {
      var writable = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
      guard wait(&writable) else {
        return .failure(TransportError("\(peer) did not take the request in time"))
      }
      let count = request.withUnsafeBytes { raw in
        Sockets.sendSome(
          on: descriptor, raw.baseAddress.map { $0 + written }, count: raw.count - written)
      }
      if count < 0 && errno != EAGAIN {
        return .failure(TransportError("cannot write to \(peer): \(SocketAddress.errorText())"))
      }
      written += max(0, count)
    }
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while !isComplete(reply) {
      var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard wait(&readable) else {
        return .failure(TransportError("\(peer) did not answer in time"))
      }
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        if errno == EAGAIN { continue }
        return .failure(TransportError("cannot read from \(peer): \(SocketAddress.errorText())"))
      }
      reply.append(contentsOf: chunk[0..<count])
      guard reply.count <= maximumReply else {
        return .failure(TransportError("\(peer) sent more than \(maximumReply) bytes"))
      }
    }
    return .success(reply)
  }

  /// Connects only (a TCP health check).
  func connectOnly() -> Result<Void, TransportError> {
    run([], isComplete: { _ in true }).map { _ in () }
  }

  private func wait(_ entry: inout pollfd) -> Bool {
    while true {
      let left = deadline - Self.monotonicNanoseconds()
      guard left > 0 else { return false }
      let result = poll(&entry, 1, Int32(clamping: (left + 999_999) / 1_000_000))
      if result > 0 { return true }
      if result == 0 { return false }
      if errno != EINTR { return false }
    }
  }

  static func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
  }
}
