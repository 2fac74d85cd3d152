#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A way for any thread to wake an owner thread that sleeps in `poll`: a
/// pair of connected local sockets, non-blocking, close-on-exec. Sockets
/// rather than a pipe so that the wake-up byte goes out with
/// `send(..., MSG_NOSIGNAL)`: a wake-up that races the owner thread's exit
/// gets EPIPE, never a SIGPIPE that would end the host process.
enum WakeChannel {
  /// The two ends: `read` for the owner's `poll`, `write` for `wake`.
  static func make() throws(TransportError) -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
    guard socketpair(AF_UNIX, type, 0, &ends) == 0 else {
      throw TransportError("cannot create a wake-up socket pair: \(SocketAddress.errorText())")
    }
    return (ends[0], ends[1])
  }

  /// Sends one wake-up byte. A full buffer already means "wake up", so
  /// losing the byte then is fine.
  static func wake(_ descriptor: Int32) {
    var one: UInt8 = 1
    _ = send(descriptor, &one, 1, Int32(MSG_NOSIGNAL))
  }
}
