import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

// rumor-core-bench: what the SWIM core costs per event, per join, per tick
// and per member held, at cluster sizes up to 10,000.

let options: CoreBenchOptions
do {
  options = try CoreBenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
  StandardError.emit("rumor-core-bench: \(error.message)")
  exit(error.status)
}
if options.help {
  print(CoreBenchOptions.usage, terminator: "")
  exit(0)
}

/// Every random choice derives from this, so two runs do the same work.
let seed: UInt64 = 0x5255_4d4f_52

func section(_ text: String) {
  guard !options.json else { return }
  print(text)
}

do {
  let clockOverhead = Clocks.monotonicOverhead()
  section(TextReport.header(options, clockOverhead: clockOverhead))
  var digest: UInt64 = 0

  var status: [StatusChangeResult] = []
  let statusBench = StatusChangeBench(
    cycles: options.statusCycles, warmUpCycles: options.statusWarmUpCycles)
  for size in options.sizes {
    let fixture = try ClusterFixture(count: size - 1, shape: .realistic)
    let reply = try fixture.joinReplyBytes()
    for path in DeliveryPath.allCases {
      let result = try statusBench.run(fixture: fixture, replyBytes: reply, path: path, seed: seed)
      digest = Digest.mix(digest, result.digest)
      status.append(result)
    }
  }
  section(TextReport.status(status, cycles: options.statusCycles))

  var joins: [JoinResult] = []
  let joinBench = JoinBench(runs: options.joinRuns)
  for size in options.sizes {
    let result = try joinBench.run(
      cluster: try ClusterFixture(count: size, shape: .realistic),
      members: try ClusterFixture(count: size - 1, shape: .realistic), seed: seed)
    digest = Digest.mix(digest, result.digest)
    joins.append(result)
  }
  section(TextReport.joins(joins, runs: options.joinRuns))

  var ticks: [TickResult] = []
  let tickBench = TickBench(virtualSeconds: options.tickSeconds)
  for size in options.sizes {
    let fixture = try ClusterFixture(count: size - 1, shape: .realistic)
    let result = try tickBench.run(
      fixture: fixture, replyBytes: try fixture.joinReplyBytes(), seed: seed)
    digest = Digest.mix(digest, result.digest)
    ticks.append(result)
  }
  section(TextReport.ticks(ticks))

  // Memory last, so that the timed sections do not run on a heap this one
  // has churned through; its readings trim the heap, so pages freed by
  // earlier sections do not hide RSS growth.
  var memory: [MemoryResult] = []
  let memoryBench = MemoryBench(memberBudget: options.memoryMemberBudget)
  for size in options.sizes {
    for shape in ClusterFixture.Shape.allCases {
      let fixture = try ClusterFixture(count: size - 1, shape: shape)
      for build in MemoryBench.Build.allCases {
        memory.append(try memoryBench.run(fixture: fixture, build: build, seed: seed))
      }
    }
  }
  section(TextReport.memory(memory))

  let checks = Targets.evaluate(status: status, joins: joins)
  if options.json {
    let results = JSONReport.Results(
      options: options, clockOverhead: clockOverhead, status: status, joins: joins, ticks: ticks,
      memory: memory, checks: checks, digest: digest)
    print(JSONReport.render(results).text)
  } else {
    print(TextReport.footer(checks, digest: digest))
  }
} catch {
  StandardError.emit("rumor-core-bench: \(error)")
  exit(1)
}
