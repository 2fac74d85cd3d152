import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What the figures were measured on, printed with them: the same code
/// gives different numbers on another CPU or clock source.
struct MachineDescription: Sendable {
  /// The first `model name` in /proc/cpuinfo.
  let cpuModel: String
  /// Online CPUs.
  let onlineCPUs: Int
  /// The kernel's clock source: with `tsc`, a CLOCK_MONOTONIC reading is
  /// a vDSO call; with others it can be a system call costing far more.
  let clockSource: String

  /// Reads them from this machine.
  static func current() -> MachineDescription {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
      cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
      .flatMap { line in line.firstIndex(of: ":").map { line[line.index(after: $0)...] } }
      .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    let source =
      (try? String(
        contentsOfFile: "/sys/devices/system/clocksource/clocksource0/current_clocksource",
        encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    return MachineDescription(
      cpuModel: model, onlineCPUs: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
      clockSource: source)
  }
}
