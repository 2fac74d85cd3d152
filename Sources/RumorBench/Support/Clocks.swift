#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The clocks the benchmarks read, directly through `clock_gettime` so that
/// a reading is one vDSO call and nothing of Foundation or Dispatch sits
/// between a timer and the call it times.
///
/// Per-call figures use the monotonic clock (a single-threaded benchmark is
/// on the CPU the whole time, and the CPU clocks cost a system call per
/// reading). Whole operations (a join) also report CPU time, which is what
/// "seconds of CPU" asks for and what another process does not inflate.
enum Clocks {
  /// `CLOCK_MONOTONIC` nanoseconds: wall-clock adjustments cannot skew it.
  @inline(__always)
  static func monotonic() -> UInt64 {
    read(CLOCK_MONOTONIC)
  }

  /// CPU nanoseconds used by the whole process (user and system).
  static func processCPU() -> UInt64 {
    read(CLOCK_PROCESS_CPUTIME_ID)
  }

  /// CPU nanoseconds the calling thread has used. Unlike the monotonic
  /// clock it does not count time the thread spent descheduled, which on a
  /// busy machine is most of the noise.
  static func threadCPU() -> UInt64 {
    read(CLOCK_THREAD_CPUTIME_ID)
  }

  @inline(__always)
  private static func read(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// Wall and process CPU time of one run of `body`.
  static func measure<Result>(_ body: () throws -> Result) rethrows -> (
    result: Result, span: Span
  ) {
    let wallStart = monotonic()
    let cpuStart = processCPU()
    let result = try body()
    let cpu = processCPU() - cpuStart
    let wall = monotonic() - wallStart
    return (result, Span(wallNanoseconds: wall, cpuNanoseconds: cpu))
  }

  /// What timing one call adds by itself: the distribution of `pairs`
  /// back-to-back monotonic readings. Every per-call figure includes one
  /// such pair, so readers can subtract its median.
  static func readingPairCost(pairs: Int) -> Percentiles<UInt64> {
    var samples = [UInt64](repeating: 0, count: max(pairs, 1))
    samples.withUnsafeMutableBufferPointer { buffer in
      for index in buffer.indices {
        let start = monotonic()
        let end = monotonic()
        buffer[index] = end &- start
      }
    }
    return Percentiles(samples)
  }
}

/// Wall and CPU time of one operation.
struct Span {
  /// Monotonic nanoseconds.
  var wallNanoseconds: UInt64
  /// CPU nanoseconds (user and system).
  var cpuNanoseconds: UInt64

  /// CPU seconds.
  var cpuSeconds: Double { Double(cpuNanoseconds) / 1e9 }
  /// Wall seconds.
  var wallSeconds: Double { Double(wallNanoseconds) / 1e9 }
}
