#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The time now in UTC as RFC 3339 with milliseconds
/// ("2026-11-29T12:47:17.204Z"), for log lines.
///
/// Formatted from `clock_gettime` and `gmtime_r` rather than with
/// Foundation's date formatters: those load time-zone and calendar data
/// (ICU) into every agent process, several megabytes of resident memory
/// for a fixed-format UTC stamp.
public func logTimestamp() -> String {
  var now = timespec()
  clock_gettime(CLOCK_REALTIME, &now)
  var seconds = now.tv_sec
  var parts = tm()
  guard gmtime_r(&seconds, &parts) != nil else { return "?" }
  func padded(_ value: Int32, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
  let milliseconds = Int32(truncatingIfNeeded: now.tv_nsec / 1_000_000)
  return
    "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
    + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))"
    + ".\(padded(milliseconds, 3))Z"
}
