import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Holds worker threads until all of them have arrived, so that the
/// concurrent figures come from threads that really overlap rather than
/// from the first thread running alone while the others start.
final class StartBarrier: Sendable {
  private let parties: Int
  private let arrived = Atomic<Int>(0)

  /// A barrier for `parties` threads; usable once.
  init(parties: Int) {
    self.parties = parties
  }

  /// Arrives and waits for the others.
  func arriveAndWait() {
    arrived.add(1, ordering: .acquiringAndReleasing)
    while arrived.load(ordering: .acquiring) < parties {
      // Yield rather than spin: with more threads than cores, a spinning
      // waiter would take the CPU a late thread needs to arrive.
      sched_yield()
    }
  }
}
