#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Nanoseconds from `CLOCK_MONOTONIC`, read directly so that the cost of a
/// reading is one vDSO call and wall-clock adjustments cannot skew a run.
enum Stopwatch {
  /// The current monotonic time in nanoseconds.
  static func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }
}
