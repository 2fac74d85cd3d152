/// Number formatting for the benchmarks' tables, without Foundation's
/// formatters: grouped thousands, fixed decimals, aligned rows.
public enum Formatting {
  /// `value` with `digits` decimals and grouped thousands (non-negative
  /// values): "10,000.25".
  public static func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((max(0, value) * Double(scale)).rounded())
    let whole = grouped(scaled / scale)
    guard digits > 0 else { return whole }
    let fraction = String(scaled % scale)
    return whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
  }

  /// 10000 as "10,000".
  public static func grouped(_ value: Int) -> String {
    let digits = String(value)
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 && digit != "-" { text += "," }
      text.append(digit)
    }
    return text
  }

  /// `cells` padded to `widths`: the first `leftAligned` cells read
  /// left-aligned (names), the rest right-aligned (numbers).
  public static func row(_ cells: [String], widths: [Int], leftAligned: Int = 1) -> String {
    var text = ""
    for (index, cell) in cells.enumerated() {
      let width = index < widths.count ? widths[index] : 0
      let padding = String(repeating: " ", count: max(0, width - cell.count))
      text += index < leftAligned ? cell + padding : padding + cell
      if index < cells.count - 1 { text += "  " }
    }
    return text
  }

  /// `value` rounded to `digits` decimals, for JSON.
  public static func rounded(_ value: Double, _ digits: Int) -> Double {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return (value * scale).rounded() / scale
  }
}
