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
/// belongs to the current image only, so both are reported.
enum PeakMemory {
  /// Both readings, taken at the end of the run.
  struct Report {
    /// `ru_maxrss` from `getrusage`, in bytes.
    let maximumResident: UInt64?
    /// `VmHWM`, in bytes.
    let highWaterMark: UInt64?
  }

  /// Peak RSS in bytes from `getrusage`, or nil if the kernel would not say.
  static func residentBytes() -> UInt64? {
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
  static func highWaterMarkBytes() -> UInt64? {
    let descriptor = open("/proc/self/status", O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      text += chunk[0..<count]
    }
    // The line reads "VmHWM:<tab>   13100 kB".
    for line in text.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
      guard fields.count >= 2, fields[0].elementsEqual("VmHWM:".utf8) else { continue }
      return UInt64(String(decoding: fields[1], as: UTF8.self)).map { $0 * 1024 }
    }
    return nil
  }
}
