import Rumor

/// `url(for:)` on one thread: each call timed alone, then batches timed
/// as a whole.
struct ResolveBench {
  /// Untimed calls before the timed ones.
  let warmUpCalls: Int
  /// Calls timed one by one.
  let timedCalls: Int
  /// Calls per batch.
  let batchCalls: Int
  /// Batches; the median is reported, so one descheduled batch does not
  /// decide the figure.
  let batches: Int

  /// What one thread measured.
  struct Result: Sendable {
    /// Per-call latency.
    let latency: LatencySample
    /// Each batch, in the order run.
    let batches: [BatchTiming]

    /// The batch with the median time per call.
    var medianBatch: BatchTiming? {
      let ordered = batches.sorted { $0.elapsedNanoseconds < $1.elapsedNanoseconds }
      return ordered.isEmpty ? nil : ordered[(ordered.count - 1) / 2]
    }
  }

  /// Resolves `names` round-robin on `registry`.
  func run(registry: ServiceRegistry, names: [String]) throws -> Result {
    let latency = try LatencySampler(warmUpCalls: warmUpCalls, timedCalls: timedCalls).run {
      index in
      try Self.resolve(registry, names, index)
    }
    var timings: [BatchTiming] = []
    for _ in 0..<batches {
      timings.append(
        try LatencySampler.batch(calls: batchCalls) { index in
          try Self.resolve(registry, names, index)
        })
    }
    return Result(latency: latency, batches: timings)
  }

  /// The call being measured: `url(for:)` of the name at `index` (mod
  /// the count), reduced to a digest value.
  @inline(__always)
  static func resolve(_ registry: ServiceRegistry, _ names: [String], _ index: Int) throws
    -> UInt64
  {
    Digest.of(try registry.url(for: names[index % names.count]))
  }
}
