import Foundation

/// The process's own peak resident memory.
enum PeakMemory {
  /// `VmHWM` from /proc/self/status in MB. (`getrusage` would report the
  /// peak of the parent `swift run` process too, which Linux carries over
  /// `execve`.)
  static func megabytes() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
      return nil
    }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let digits = line.split(separator: " ").compactMap { Double($0) }
      if let kilobytes = digits.first { return kilobytes / 1024 }
    }
    return nil
  }
}
