/// Everything one invocation measured, for both reports.
struct BenchResults: Sendable {
  /// The machine.
  let machine: MachineDescription
  /// The fixture's contents.
  let census: ResolveFixture.Census
  /// Back-to-back CLOCK_MONOTONIC reading pairs: the timer's own share of
  /// every per-call figure.
  let clockPair: Percentiles<UInt64>
  /// Lookups on one thread.
  let single: ResolveBench.Result
  /// Lookups on several threads at once; nil with `--threads 0`.
  let concurrent: ConcurrentResolveBench.Result?
  /// Catalog changes: the owner's cost and the first lookup after one.
  let change: CatalogChangeBench.Result
  /// The Redis comparison.
  let redis: RedisOutcome

  /// The p50 a lookup must stay under (issue 5: "well under 1
  /// microsecond").
  static let targetNanoseconds: UInt64 = 1_000

  /// Whether the single-thread p50 is under the target.
  var targetMet: Bool { single.latency.nanoseconds.median < Self.targetNanoseconds }

  /// Redis GET p50 over `url(for:)` p50, timer included in both.
  var ratio: Double? {
    guard let redis = redis.result, single.latency.nanoseconds.median > 0 else { return nil }
    return Double(redis.latency.nanoseconds.median) / Double(single.latency.nanoseconds.median)
  }

  /// The same ratio with the median reading-pair cost taken off both
  /// sides: closer to what the calls themselves cost.
  var ratioWithoutTimer: Double? {
    guard let redis = redis.result else { return nil }
    let timer = Double(clockPair.median)
    let resolve = Double(single.latency.nanoseconds.median) - timer
    guard resolve > 0 else { return nil }
    return (Double(redis.latency.nanoseconds.median) - timer) / resolve
  }

  /// Every result's digest folded: printed so that no call can be
  /// optimized away.
  var digest: UInt64 {
    var digest = Digest.mix(single.latency.digest, change.digest)
    for batch in single.batches { digest = Digest.mix(digest, batch.digest) }
    if let concurrent { digest = Digest.mix(digest, concurrent.digest) }
    if let redis = redis.result { digest = Digest.mix(digest, redis.latency.digest) }
    return digest
  }
}
