#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What the agent's servers (`HTTPServer`, `TCPResponder`, `DNSServer`)
/// share: a listening TCP socket, the address it got, and the wake
/// channel whose closing ends the thread that serves it.
///
/// The serving thread owns `listener` and `wake` once started and closes
/// them when it ends; until then (a failed start), this closes them.
struct ServingThread {
  /// The listening socket.
  let listener: Int32
  /// Where it listens: `bind`, with the port the system picked for port 0.
  let address: NodeAddress
  /// The read end of the wake channel, for the serving thread's `poll`.
  let wake: Int32
  /// The write end: `waker.close()` stops the serving thread.
  let waker: WakeSender

  /// Listens on `bind` (port 0 picks a free port) and makes the wake
  /// channel; closes what it opened if either fails.
  init(listeningOn bind: NodeAddress) throws(TransportError) {
    listener = try Sockets.listener(boundTo: bind)
    var bound = Sockets.localAddress(of: listener) ?? bind
    if bind.port != 0 { bound.port = bind.port }
    address = bound
    let ends: (read: Int32, write: Int32)
    do {
      ends = try WakeChannel.make()
    } catch {
      close(listener)
      throw error
    }
    wake = ends.read
    waker = WakeSender(ends.write)
  }

  /// Runs `body` on a thread named `rumor-NAME-PORT`. If the thread
  /// cannot start, closes the listener, both ends of the wake channel and
  /// `others` (sockets the body would have owned), and throws.
  func start(
    name: String, alsoClosing others: [Int32] = [], _ body: @escaping @Sendable () -> Void
  ) throws(TransportError) {
    do {
      try OwnerThread.start(name: "rumor-\(name)-\(address.port)", body)
    } catch {
      abandon(alsoClosing: others)
      throw error
    }
  }

  /// Closes everything without a serving thread: for a server whose
  /// set-up failed after this was made.
  func abandon(alsoClosing others: [Int32] = []) {
    for descriptor in [listener, wake] + others { close(descriptor) }
    waker.close()
  }
}
