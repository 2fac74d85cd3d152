/// Numbers as text with a fixed number of decimals.
///
/// The report must be byte-identical for equal results, and Swift's own
/// `Double` description picks the shortest round-trip form, whose length
/// varies from value to value; a fixed precision keeps coordinates short
/// and the output stable.
enum FixedDecimal {
  /// `value` with exactly `decimals` decimals (0 to 9), never "-0".
  static func text(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "0" }
    let places = max(0, min(decimals, 9))
    var scale: Int64 = 1
    for _ in 0..<places { scale *= 10 }
    let scaled = (value * Double(scale)).rounded()
    // Beyond what Int64 holds a chart has no use for decimals; the
    // description is still deterministic for one value.
    guard abs(scaled) < 9e15 else { return "\(value.rounded())" }
    let magnitude = abs(Int64(scaled))
    var text = scaled < 0 && magnitude != 0 ? "-" : ""
    text += String(magnitude / scale)
    if places > 0 {
      let fraction = String(magnitude % scale)
      text += "." + String(repeating: "0", count: places - fraction.count) + fraction
    }
    return text
  }

  /// `value` with at most `decimals` decimals, trailing zeros dropped (for
  /// settings such as a loss of 0.05, where "0.050" would read oddly).
  static func compact(_ value: Double, decimals: Int) -> String {
    var text = self.text(value, decimals: decimals)
    guard text.contains(".") else { return text }
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// A figure for a caption: fixed decimals, or "n/a" where the value is
  /// not a number.
  static func figure(_ value: Double, decimals: Int) -> String {
    value.isFinite ? text(value, decimals: decimals) : "n/a"
  }

  /// Seconds for a label, such as "2.35 s".
  static func seconds(_ value: Double) -> String {
    "\(figure(value, decimals: 2)) s"
  }
}
