import CommandLineSupport

/// The resolve benchmark's own figures, on the shared table formatting.
extension Formatting {
  /// Nanoseconds, grouped: "1,234".
  static func nanoseconds(_ value: UInt64) -> String {
    grouped(Int(clamping: value))
  }

  /// Calls per second in millions: "2.43 M".
  static func millions(_ perSecond: Double) -> String {
    fixed(perSecond / 1e6, 2) + " M"
  }
}
