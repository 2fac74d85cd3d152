/// The set-up, a sanity check or a helper process went wrong. A benchmark
/// that timed a rejected message, a failed lookup or an error reply would
/// report the cost of an error path, so the run stops instead.
struct BenchError: Error, CustomStringConvertible {
  /// What went wrong, in one line.
  let description: String

  /// An error saying `description`.
  init(_ description: String) {
    self.description = description
  }
}
