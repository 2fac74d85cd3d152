import CommandLineSupport

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
    let cpuinfo = SystemFile.bytes(at: "/proc/cpuinfo").map {
      String(decoding: $0, as: UTF8.self)
    }
    let model =
      cpuinfo?.split(separator: "\n").first { $0.hasPrefix("model name") }
      .flatMap { line in line.firstIndex(of: ":").map { line[line.index(after: $0)...] } }
      .map { trimmed($0) } ?? "unknown"
    let source =
      SystemFile.firstLine(
        at: "/sys/devices/system/clocksource/clocksource0/current_clocksource"
      ).map { trimmed($0[...]) } ?? "unknown"
    return MachineDescription(
      cpuModel: model, onlineCPUs: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
      clockSource: source)
  }

  /// `text` without leading and trailing spaces and tabs.
  private static func trimmed(_ text: Substring) -> String {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    return String(text.drop(while: blank).reversed().drop(while: blank).reversed())
  }
}
