#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The process's peak resident set size, two ways.
///
/// `getrusage` is the portable figure, but Linux carries `ru_maxrss` across
/// `execve`, so under `swift run` it reports SwiftPM's own peak (over
/// 100 MB) rather than the benchmark's. `VmHWM` in `/proc/self/status`
/// belongs to the current image only, so the benchmarks report both and
/// the simulator reports `VmHWM`.
public enum PeakMemory {
  /// Both readings, taken at the end of the run.
  public struct Report: Sendable {
    /// `ru_maxrss` from `getrusage`, in bytes.
    public let maximumResident: UInt64?
    /// `VmHWM`, in bytes.
    public let highWaterMark: UInt64?

    /// Both readings, taken now.
    public static func current() -> Report {
      Report(maximumResident: residentBytes(), highWaterMark: highWaterMarkBytes())
    }
  }

  /// Peak RSS in bytes from `getrusage`, or nil if the kernel would not say.
  public static func residentBytes() -> UInt64? {
    var usage = rusage()
    #if canImport(Glibc)
      // Glibc imports RUSAGE_SELF as an enum case, not the int it takes.
      let who = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
      let who = RUSAGE_SELF
    #endif
    guard getrusage(who, &usage) == 0 else { return nil }
    // Linux reports ru_maxrss in KiB.
    return UInt64(max(0, usage.ru_maxrss)) * 1024
  }

  /// Peak RSS in bytes of this program image (`VmHWM`), or nil where
  /// `/proc` is missing.
  public static func highWaterMarkBytes() -> UInt64? {
    ProcessStatus.bytes(of: "VmHWM").map { UInt64(max(0, $0)) }
  }

  /// `VmHWM` in MiB (2^20 bytes), or nil where `/proc` is missing.
  public static func highWaterMarkMegabytes() -> Double? {
    highWaterMarkBytes().map { Double($0) / 1_048_576 }
  }
}
