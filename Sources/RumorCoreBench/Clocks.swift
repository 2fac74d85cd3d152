#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The two clocks the benchmark reads, directly through `clock_gettime`
/// so that a reading is one vDSO call.
///
/// Per-event figures use the monotonic clock (a single-threaded process
/// is on the CPU the whole time, and the process CPU clock costs a system
/// call per reading). Whole operations (a join) also report the process's
/// CPU time, which is what the "seconds of CPU" asks for and what
/// another process on the machine does not inflate.
enum Clocks {
  /// Monotonic nanoseconds.
  static func monotonic() -> UInt64 {
    read(CLOCK_MONOTONIC)
  }

  /// CPU nanoseconds used by the whole process (user and system).
  static func processCPU() -> UInt64 {
    read(CLOCK_PROCESS_CPUTIME_ID)
  }

  private static func read(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// Wall and CPU time of one run of `body`.
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

  /// What one reading pair costs, so per-event figures can be read
  /// against it (the median of many back-to-back pairs).
  static func monotonicOverhead() -> Double {
    var samples: [Double] = []
    samples.reserveCapacity(10_001)
    for _ in 0...10_000 {
      let start = monotonic()
      samples.append(Double(monotonic() - start))
    }
    return Distribution(samples).median
  }
}

/// Wall and CPU time of one operation.
struct Span {
  /// Monotonic nanoseconds.
  var wallNanoseconds: UInt64
  /// Process CPU nanoseconds (user and system).
  var cpuNanoseconds: UInt64

  /// CPU seconds.
  var cpuSeconds: Double { Double(cpuNanoseconds) / 1e9 }
  /// Wall seconds.
  var wallSeconds: Double { Double(wallNanoseconds) / 1e9 }
}
