import CommandLineSupport

/// The core benchmark's own figures, on the shared table formatting.
extension Formatting {
  /// Bytes as KiB or MiB with one decimal.
  static func bytes(_ value: Double?) -> String {
    guard let value else { return "n/a" }
    if abs(value) >= 1024 * 1024 { return fixedSigned(value / (1024 * 1024), 2) + " MiB" }
    return fixedSigned(value / 1024, 1) + " KiB"
  }

  /// `fixed`, keeping a minus sign (memory can shrink between readings).
  static func fixedSigned(_ value: Double, _ digits: Int) -> String {
    value < 0 ? "-" + fixed(-value, digits) : fixed(value, digits)
  }
}
