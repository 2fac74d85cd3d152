/// Parsing of the settings that are one word from a fixed list (modes,
/// profiles, strategies, check types), with a "did you mean" for typos.
enum Choice {
  /// The case of `T` spelled `text`.
  static func parse<T: CaseIterable & RawRepresentable>(
    _ text: String, as type: T.Type, what: String
  )
    throws(InvalidValue) -> T where T.RawValue == String
  {
    let names = T.allCases.map(\.rawValue)
    if let value = T(rawValue: text) { return value }
    var reason = "'\(text)' is not a \(what)"
    if let close = Suggestion.closest(to: text, among: names) {
      reason += "; did you mean '\(close)'?"
    }
    reason += " (one of \(names.joined(separator: ", ")))"
    throw InvalidValue(reason)
  }
}
