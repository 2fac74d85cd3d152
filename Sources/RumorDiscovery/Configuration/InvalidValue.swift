/// Why a text is not a valid value for a setting: one sentence that says
/// what to write instead. The caller adds where the text came from.
public struct InvalidValue: Error, Hashable, Sendable, CustomStringConvertible {
  /// The sentence.
  public var reason: String

  /// Creates the error.
  public init(_ reason: String) {
    self.reason = reason
  }

  /// The reason.
  public var description: String { reason }
}
