/// Durations as written in configuration: a number of seconds (`10`,
/// `0.5`, the brief's style) or a number with a unit (`500ms`, `10s`,
/// `2m`, `1h`, Consul's and Serf's style).
public enum DurationText {
  /// Parses a duration; it must be positive and at most `maximum`.
  public static func parse(_ text: String, maximum: Duration = .seconds(86_400))
    throws(InvalidValue)
    -> Duration
  {
    let units: [(suffix: String, seconds: Double)] = [
      ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600),
    ]
    var number = Substring(text)
    var scale = 1.0
    for unit in units where text.hasSuffix(unit.suffix) {
      number = text.dropLast(unit.suffix.count)
      scale = unit.seconds
      break
    }
    guard let value = Double(number), value.isFinite, number.first != "+",
      number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
    else {
      throw InvalidValue(
        "'\(text)' is not a duration; write seconds (10, 0.5) or a number with ms, s, m or h (500ms, 10s)"
      )
    }
    let seconds = value * scale
    guard seconds <= Double(maximum.components.seconds) else {
      throw InvalidValue("'\(text)' is longer than \(format(maximum))")
    }
    // Millisecond precision is all any timer here needs.
    let milliseconds = Int64((seconds * 1000).rounded())
    guard milliseconds >= 1 else { throw InvalidValue("'\(text)' is not at least 1ms") }
    return .milliseconds(milliseconds)
  }

  /// `10s`, `500ms`, `1.5s`, `60s`, `2h`: seconds, as the brief writes
  /// timeouts, but milliseconds below one second and whole hours as hours.
  public static func format(_ duration: Duration) -> String {
    let milliseconds =
      duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    return "\(Double(milliseconds) / 1000)s"
  }

  /// The duration in seconds, for JSON.
  public static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
