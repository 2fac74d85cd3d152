import CommandLineSupport
import RumorWire

/// One measured line: a case, a direction and its timings.
struct Row {
  /// The case's name.
  let name: String
  /// "encode" or "decode".
  let operation: String
  /// Datagram size, the unit of MB/s.
  let bytes: Int
  /// What the datagram holds.
  let detail: String
  /// The timings.
  let measurement: Measurement

  /// Datagram megabytes (10^6 bytes) per second at the median.
  var megabytesPerSecond: Double {
    measurement.operationsPerSecond * Double(bytes) / 1e6
  }
}

/// Formats results as a text table or one JSON object.
enum CodecReport {
  /// Column widths; the table is printed a row at a time as runs finish.
  private static let widths = [13, 7, 6, 10, 12, 9, 19]

  /// The table's heading lines.
  static func tableHeader(_ options: CodecBenchOptions) -> String {
    let title =
      "rumor-bench codec: median of \(options.runs) runs of ~\(fixed(options.runSeconds, 2)) s each"
      + (options.quick ? " (--quick: not figures to quote)" : "")
    return title + "\n" + line(["case", "op", "bytes", "ns/op", "ops/s", "MB/s", "ns/op min..max"])
  }

  /// One table row.
  static func tableLine(_ row: Row) -> String {
    let timing = row.measurement
    return line([
      row.name, row.operation, String(row.bytes), fixed(timing.median, 1),
      Formatting.grouped(Int(timing.operationsPerSecond.rounded())),
      fixed(row.megabytesPerSecond, 1),
      fixed(timing.minimum, 1) + ".." + fixed(timing.maximum, 1),
    ])
  }

  /// The lines after the table: what the cases hold, memory and digest.
  static func tableFooter(_ cases: [BenchCase], memory: PeakMemory.Report, digest: UInt64)
    -> String
  {
    var text = "\n"
    for benchCase in cases {
      text += "  \(benchCase.name): \(benchCase.datagram.count) B, \(benchCase.detail)\n"
    }
    text +=
      "peak RSS: " + kibibytes(memory.highWaterMark) + " (VmHWM); getrusage ru_maxrss "
      + kibibytes(memory.maximumResident) + " (includes the process before exec, e.g. swift run)\n"
    text += "digest: \(String(digest, radix: 16)) (outputs folded so none is optimized away)"
    return text
  }

  /// Everything as one JSON object.
  static func json(
    _ rows: [Row], options: CodecBenchOptions, memory: PeakMemory.Report, digest: UInt64
  ) -> JSONValue {
    let results: [JSONValue] = rows.map { row in
      let timing = row.measurement
      return .object([
        ("case", .string(row.name)),
        ("operation", .string(row.operation)),
        ("bytes", .count(row.bytes)),
        ("detail", .string(row.detail)),
        ("iterationsPerRun", .count(timing.iterations)),
        ("nsPerOp", .number(Formatting.rounded(timing.median, 2))),
        ("nsPerOpMin", .number(Formatting.rounded(timing.minimum, 2))),
        ("nsPerOpMax", .number(Formatting.rounded(timing.maximum, 2))),
        ("opsPerSecond", .number(Formatting.rounded(timing.operationsPerSecond, 0))),
        ("megabytesPerSecond", .number(Formatting.rounded(row.megabytesPerSecond, 2))),
      ])
    }
    return .object([
      ("tool", "rumor-bench codec"),
      ("runs", .count(options.runs)),
      ("runSeconds", .number(options.runSeconds)),
      ("quick", .bool(options.quick)),
      ("statistic", "median"),
      ("clock", "CLOCK_MONOTONIC"),
      ("results", .array(results)),
      ("peakRSSBytes", memory.highWaterMark.map { JSONValue.count($0) } ?? .null),
      ("maxRSSGetrusageBytes", memory.maximumResident.map { JSONValue.count($0) } ?? .null),
      ("digest", .string(String(digest, radix: 16))),
    ])
  }

  private static func kibibytes(_ bytes: UInt64?) -> String {
    bytes.map { "\($0 / 1024) KiB" } ?? "unknown"
  }

  private static func line(_ cells: [String]) -> String {
    var text = ""
    for (index, cell) in cells.enumerated() {
      let width = index < widths.count ? widths[index] : 0
      let padding = String(repeating: " ", count: max(0, width - cell.count))
      // Names read left-aligned, numbers right-aligned.
      text += index < 2 ? cell + padding : padding + cell
      if index < cells.count - 1 { text += " " }
    }
    return text
  }

  /// `value` with `digits` decimals; Foundation's formatter is not needed
  /// for non-negative figures like these.
  static func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let whole = String(scaled / scale)
    guard digits > 0 else { return whole }
    let fraction = String(scaled % scale)
    return whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
  }
}
