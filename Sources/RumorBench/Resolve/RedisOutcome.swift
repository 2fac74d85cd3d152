/// What became of the Redis comparison.
enum RedisOutcome: Sendable {
  /// GETs were timed.
  case measured(RedisGetBench.Result)
  /// Not attempted, and why (`--no-redis`, no redis-server on PATH).
  case skipped(String)
  /// Attempted and failed, and why; the run exits with status 1.
  case failed(String)

  /// The measured result, if any.
  var result: RedisGetBench.Result? {
    if case .measured(let result) = self { return result }
    return nil
  }
}
