import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The write end of a `WakeChannel`, shared by the threads that wake an
/// owner thread and closed exactly once: a wake-up after the close is
/// skipped, so it never writes to a descriptor number that was closed
/// and perhaps reused. Closing it is how a server is told to stop: the
/// owner's `poll` sees end-of-file on its read end.
final class WakeSender: Sendable {
  private let descriptor: Int32
  private let closed = Mutex(false)

  /// Takes ownership of `descriptor`, the channel's write end.
  init(_ descriptor: Int32) { self.descriptor = descriptor }

  /// Wakes the owner thread, unless closed.
  func wake() {
    closed.withLock { closed in if !closed { WakeChannel.wake(descriptor) } }
  }

  /// Closes the write end (the first call only).
  func close() {
    closed.withLock { closed in
      guard !closed else { return }
      closed = true
      _ = Glibc.close(descriptor)
    }
  }
}
