import CommandLineSupport

/// The tables printed without `--json`.
enum ResolveTextReport {
  /// The whole report.
  static func render(_ results: BenchResults, options: ResolveBenchOptions) -> String {
    [
      header(results, options: options), perCall(results, options: options),
      throughput(results, options: options), change(results), comparison(results),
    ].joined(separator: "\n\n")
  }

  private static func header(_ results: BenchResults, options: ResolveBenchOptions) -> String {
    let census = results.census
    let machine = results.machine
    return """
      rumor-bench resolve: ServiceRegistry.url(for:) vs a Redis GET on loopback\
      \(options.quick ? " (--quick: not figures to quote)" : "")
      machine: \(machine.cpuModel), \(machine.onlineCPUs) online CPUs, clock source \(machine.clockSource)
      fixture: \(Formatting.grouped(ResolveFixture.memberCount)) members, \
      \(ResolveFixture.serviceCount) services, \(Formatting.grouped(census.instances)) instances \
      (\(census.instancesPerService.lowerBound)–\(census.instancesPerService.upperBound) per service; \
      \(census.warning) warning, \(census.critical) critical, \(census.suspectInstances) on \
      \(census.suspectMembers) suspect members; meta up to \(census.largestMetaBytes) B)
      registry: over a fixed member snapshot (no node), names cycled round-robin; a node-backed \
      registry also loads the node's snapshot version (one atomic) and takes its lock once more per call
      timer: a CLOCK_MONOTONIC reading pair costs \(Formatting.nanoseconds(results.clockPair.median)) ns \
      (median; p99 \(Formatting.nanoseconds(results.clockPair.p99)) ns), included in every per-call figure
      """
  }

  private static let latencyWidths = [30, 9, 7, 7, 7, 8, 10, 8]

  private static func latencyRow(_ name: String, _ samples: Percentiles<UInt64>) -> String {
    Formatting.row(
      [
        name, Formatting.grouped(samples.count), Formatting.nanoseconds(samples.median),
        Formatting.nanoseconds(samples.p90), Formatting.nanoseconds(samples.p99),
        Formatting.nanoseconds(samples.p999), Formatting.nanoseconds(samples.maximum),
        Formatting.fixed(samples.mean, 0),
      ], widths: latencyWidths)
  }

  private static func perCall(_ results: BenchResults, options: ResolveBenchOptions) -> String {
    var lines = [
      "Per call, ns (each call timed alone, timer included)",
      Formatting.row(
        ["operation", "calls", "p50", "p90", "p99", "p99.9", "max", "mean"], widths: latencyWidths),
      latencyRow("url(for:), 1 thread", results.single.latency.nanoseconds),
    ]
    if let concurrent = results.concurrent {
      let count = concurrent.workers.count
      for (index, worker) in concurrent.workers.enumerated() {
        lines.append(
          latencyRow("url(for:), thread \(index + 1) of \(count)", worker.latency.nanoseconds))
      }
      lines.append(latencyRow("url(for:), \(count) threads pooled", concurrent.pooled))
    }
    switch results.redis {
    case .measured(let redis):
      lines.append(latencyRow("Redis GET, loopback", redis.latency.nanoseconds))
    case .skipped(let reason):
      lines.append("Redis GET: comparison skipped: \(reason)")
    case .failed(let reason):
      lines.append("Redis GET: comparison FAILED: \(reason)")
    }
    return lines.joined(separator: "\n")
  }

  private static func throughput(_ results: BenchResults, options: ResolveBenchOptions) -> String {
    let widths = [30, 13, 10, 14, 12]
    var lines = [
      "Batched url(for:) (no per-call timer; CPU ns/call leaves out time spent descheduled)",
      Formatting.row(["threads", "calls", "ns/call", "CPU ns/call", "calls/s"], widths: widths),
    ]
    if let batch = results.single.medianBatch {
      lines.append(
        Formatting.row(
          [
            "1 (median of \(results.single.batches.count))", Formatting.grouped(batch.calls),
            Formatting.fixed(batch.nanosecondsPerCall, 1),
            Formatting.fixed(batch.cpuNanosecondsPerCall, 1),
            Formatting.millions(batch.callsPerSecond),
          ], widths: widths))
    }
    if let concurrent = results.concurrent {
      let calls = concurrent.workers.reduce(0) { $0 + $1.batch.calls }
      let cpu = concurrent.workers.reduce(0) { $0 + Double($1.batch.cpuNanoseconds) }
      let aggregate = concurrent.aggregateCallsPerSecond
      lines.append(
        Formatting.row(
          [
            "\(concurrent.workers.count), together", Formatting.grouped(calls),
            Formatting.fixed(aggregate > 0 ? 1e9 / aggregate : 0, 1),
            Formatting.fixed(calls > 0 ? cpu / Double(calls) : 0, 1),
            Formatting.millions(aggregate),
          ], widths: widths))
      if let single = results.single.medianBatch, single.callsPerSecond > 0 {
        lines.append(
          "\(concurrent.workers.count) threads on \(results.machine.onlineCPUs) CPUs give "
            + Formatting.fixed(aggregate / single.callsPerSecond, 2)
            + "× the single-thread rate")
      }
    }
    return lines.joined(separator: "\n")
  }

  private static func change(_ results: BenchResults) -> String {
    let change = results.change
    return """
      Membership changes (the node's thread keeps the catalog; lookups never build one):
      owner, one member changed among \(Formatting.grouped(ResolveFixture.memberCount)): \
      median \(microseconds(change.change.median)), p99 \(microseconds(change.change.p99)) thread CPU
      owner, one member changed among \(Formatting.grouped(CatalogChangeBench.largeMemberCount)): \
      median \(microseconds(change.largeChange.median)), p99 \(microseconds(change.largeChange.p99)) thread CPU
      first url(for:) after a published change: p50 \(Formatting.nanoseconds(change.firstLookup.median)) ns, \
      p99 \(Formatting.nanoseconds(change.firstLookup.p99)) ns over \(change.firstLookup.count) changes
      for comparison, a full build, ServiceCatalog(members:) over \(Formatting.grouped(ResolveFixture.memberCount)) \
      members: median \(microseconds(change.fullBuild.median)) (what the first lookup after a change paid before)
      """
  }

  private static func microseconds(_ nanoseconds: UInt64) -> String {
    Formatting.fixed(Double(nanoseconds) / 1000, 1) + " µs"
  }

  private static func comparison(_ results: BenchResults) -> String {
    var lines: [String] = []
    if let ratio = results.ratio {
      var line = "Redis GET p50 / url(for:) p50: \(Formatting.fixed(ratio, 1))×"
      if let bare = results.ratioWithoutTimer {
        line += " (\(Formatting.fixed(bare, 1))× with the timer's median taken off both)"
      }
      lines.append(line)
    }
    let p50 = results.single.latency.nanoseconds.median
    lines.append(
      "target: url(for:) p50 under \(Formatting.nanoseconds(BenchResults.targetNanoseconds)) ns: "
        + (results.targetMet ? "met" : "NOT met") + " (\(Formatting.nanoseconds(p50)) ns)")
    lines.append(
      "digest: \(String(results.digest, radix: 16)) (outputs folded so none is optimized away)")
    return lines.joined(separator: "\n")
  }
}
