/// Parsing of the settings that are one word from a fixed list (modes,
/// profiles, strategies, check types), with a "did you mean" for typos.
enum Choice {
  /// The case of `T` spelled `text`, among `allowed` (every case by
  /// default).
  static func parse<T: CaseIterable & RawRepresentable>(
    _ text: String, as type: T.Type, what: String, among allowed: [T]? = nil
  )
    throws(InvalidValue) -> T where T.RawValue == String
  {
    let names = (allowed ?? Array(T.allCases)).map(\.rawValue)
    if names.contains(text), let value = T(rawValue: text) { return value }
    var reason = "'\(text)' is not a \(what)"
    if let close = Suggestion.closest(to: text, among: names) {
      reason += "; did you mean '\(close)'?"
    }
    reason += " (one of \(names.joined(separator: ", ")))"
    throw InvalidValue(reason)
  }
}
