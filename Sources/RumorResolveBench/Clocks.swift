#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The clocks the benchmark reads, directly through `clock_gettime` so
/// that nothing of Foundation or Dispatch sits between a timer and the
/// call it times.
enum Clocks {
  /// `CLOCK_MONOTONIC` nanoseconds: one vDSO call with the `tsc` clock
  /// source, cheap enough to time a sub-microsecond call.
  @inline(__always)
  static func monotonic() -> UInt64 {
    read(CLOCK_MONOTONIC)
  }

  /// CPU nanoseconds the calling thread has used. A system call per
  /// reading, so only read around whole batches and builds; unlike the
  /// monotonic clock it does not count time the thread spent descheduled,
  /// which on a busy machine is most of the noise.
  static func threadCPU() -> UInt64 {
    read(CLOCK_THREAD_CPUTIME_ID)
  }

  @inline(__always)
  private static func read(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// What timing one call adds by itself: the distribution of many pairs
  /// of back-to-back monotonic readings. Every per-call figure includes
  /// one such pair, so readers can subtract its median.
  static func readingPairCost(pairs: Int) -> LatencyDistribution {
    var samples = [UInt64](repeating: 0, count: max(pairs, 1))
    samples.withUnsafeMutableBufferPointer { buffer in
      for index in buffer.indices {
        let start = monotonic()
        let end = monotonic()
        buffer[index] = end &- start
      }
    }
    return LatencyDistribution(samples)
  }
}
