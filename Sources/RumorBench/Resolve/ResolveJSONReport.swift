import CommandLineSupport
import Rumor

/// Everything as one JSON object (`--json`).
enum ResolveJSONReport {
  /// The JSON object.
  static func render(_ results: BenchResults, options: ResolveBenchOptions) -> JSONValue {
    let census = results.census
    return .object([
      ("tool", "rumor-bench resolve"),
      ("quick", .bool(options.quick)),
      (
        "machine",
        .object([
          ("cpuModel", .string(results.machine.cpuModel)),
          ("onlineCPUs", .count(results.machine.onlineCPUs)),
          ("clockSource", .string(results.machine.clockSource)),
        ])
      ),
      (
        "fixture",
        .object([
          ("members", .count(ResolveFixture.memberCount)),
          ("services", .count(ResolveFixture.serviceCount)),
          ("instances", .count(census.instances)),
          ("instancesPerServiceMin", .count(census.instancesPerService.lowerBound)),
          ("instancesPerServiceMax", .count(census.instancesPerService.upperBound)),
          ("warning", .count(census.warning)),
          ("critical", .count(census.critical)),
          ("suspectMembers", .count(census.suspectMembers)),
          ("suspectInstances", .count(census.suspectInstances)),
          ("largestMetaBytes", .count(census.largestMetaBytes)),
          ("registry", "fixed member snapshot, no node"),
        ])
      ),
      ("clockPairNs", distribution(results.clockPair)),
      (
        "resolve",
        .object([
          ("warmUpCalls", .count(options.warmUpCalls)),
          ("perCallNs", distribution(results.single.latency.nanoseconds)),
          ("batches", .array(results.single.batches.map(batch))),
          ("medianBatch", results.single.medianBatch.map(batch) ?? .null),
        ])
      ),
      ("concurrent", results.concurrent.map(concurrent) ?? .null),
      (
        "catalogChange",
        .object([
          ("members", .count(ResolveFixture.memberCount)),
          ("ownerChangeThreadCPUNs", distribution(results.change.change)),
          ("largeMembers", .count(CatalogChangeBench.largeMemberCount)),
          ("largeOwnerChangeThreadCPUNs", distribution(results.change.largeChange)),
          ("firstLookupAfterChangeNs", distribution(results.change.firstLookup)),
          ("fullBuildWallNs", distribution(results.change.fullBuild)),
        ])
      ),
      ("redis", redis(results.redis, options: options)),
      ("redisP50OverResolveP50", results.ratio.map { .number(Formatting.rounded($0, 2)) } ?? .null),
      (
        "redisP50OverResolveP50WithoutTimer",
        results.ratioWithoutTimer.map { .number(Formatting.rounded($0, 2)) } ?? .null
      ),
      ("targetP50Ns", .count(BenchResults.targetNanoseconds)),
      ("targetMet", .bool(results.targetMet)),
      ("digest", .string(String(results.digest, radix: 16))),
    ])
  }

  private static func distribution(_ samples: Percentiles<UInt64>) -> JSONValue {
    .object([
      ("count", .count(samples.count)),
      ("p50", .count(samples.median)),
      ("p90", .count(samples.p90)),
      ("p99", .count(samples.p99)),
      ("p999", .count(samples.p999)),
      ("max", .count(samples.maximum)),
      ("min", .count(samples.minimum)),
      ("mean", .number(Formatting.rounded(samples.mean, 1))),
    ])
  }

  private static func batch(_ timing: BatchTiming) -> JSONValue {
    .object([
      ("calls", .count(timing.calls)),
      ("elapsedNs", .count(timing.elapsedNanoseconds)),
      ("nsPerCall", .number(Formatting.rounded(timing.nanosecondsPerCall, 2))),
      ("cpuNs", .count(timing.cpuNanoseconds)),
      ("cpuNsPerCall", .number(Formatting.rounded(timing.cpuNanosecondsPerCall, 2))),
      ("callsPerSecond", .number(Formatting.rounded(timing.callsPerSecond, 0))),
    ])
  }

  private static func concurrent(_ result: ConcurrentResolveBench.Result) -> JSONValue {
    .object([
      ("threads", .count(result.workers.count)),
      (
        "perThread",
        .array(
          result.workers.map { worker in
            .object([
              ("perCallNs", distribution(worker.latency.nanoseconds)),
              ("batch", batch(worker.batch)),
            ])
          })
      ),
      ("pooledPerCallNs", distribution(result.pooled)),
      ("aggregateCallsPerSecond", .number(Formatting.rounded(result.aggregateCallsPerSecond, 0))),
    ])
  }

  private static func redis(_ outcome: RedisOutcome, options: ResolveBenchOptions) -> JSONValue {
    switch outcome {
    case .measured(let result):
      return .object([
        ("status", "measured"),
        ("executable", .string(result.executable)),
        ("version", .string(result.version)),
        ("connection", "one persistent TCP connection to 127.0.0.1, TCP_NODELAY, no pipelining"),
        ("warmUpCalls", .count(options.redisWarmUpCalls)),
        ("perCallNs", distribution(result.latency.nanoseconds)),
      ])
    case .skipped(let reason):
      return .object([("status", "skipped"), ("reason", .string(reason))])
    case .failed(let reason):
      return .object([("status", "failed"), ("reason", .string(reason))])
    }
  }
}
