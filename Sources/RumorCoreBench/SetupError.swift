/// The set-up or a sanity check went wrong: a benchmark that timed a
/// rejected message or a failed join would report the cost of an error
/// path, so the run stops instead.
struct SetupError: Error, CustomStringConvertible {
  /// What went wrong.
  let description: String
}
