import CommandLineSupport

/// `rumor-bench core`: what the SWIM core costs per event, per join, per
/// tick and per member held, at cluster sizes up to 10,000.
enum CoreBenchmark {
  /// Every random choice derives from this, so two runs do the same work.
  static let seed: UInt64 = 0x5255_4d4f_52

  /// Runs the benchmark with the arguments after its name; returns the
  /// exit status.
  static func run(_ arguments: [String]) -> Int32 {
    let options: CoreBenchOptions
    switch CoreBenchOptions.read(arguments) {
    case .success(let parsed): options = parsed
    case .failure(let exit): return exit.status
    }

    do {
      let clockOverhead = Double(Clocks.readingPairCost(pairs: 10_001).median)
      section(options, CoreTextReport.header(options, clockOverhead: clockOverhead))
      var digest: UInt64 = 0

      var status: [StatusChangeResult] = []
      let statusBench = StatusChangeBench(
        cycles: options.statusCycles, warmUpCycles: options.statusWarmUpCycles)
      for size in options.sizes {
        let fixture = try ClusterFixture(count: size - 1, shape: .realistic)
        let reply = try fixture.joinReplyBytes()
        for path in DeliveryPath.allCases {
          let result = try statusBench.run(
            fixture: fixture, replyBytes: reply, path: path, seed: seed)
          digest = Digest.mix(digest, result.digest)
          status.append(result)
        }
      }
      section(options, CoreTextReport.status(status, cycles: options.statusCycles))

      var joins: [JoinResult] = []
      let joinBench = JoinBench(runs: options.joinRuns)
      for size in options.sizes {
        let result = try joinBench.run(
          cluster: try ClusterFixture(count: size, shape: .realistic),
          members: try ClusterFixture(count: size - 1, shape: .realistic), seed: seed)
        digest = Digest.mix(digest, result.digest)
        joins.append(result)
      }
      section(options, CoreTextReport.joins(joins, runs: options.joinRuns))

      var ticks: [TickResult] = []
      let tickBench = TickBench(virtualSeconds: options.tickSeconds)
      for size in options.sizes {
        let fixture = try ClusterFixture(count: size - 1, shape: .realistic)
        let result = try tickBench.run(
          fixture: fixture, replyBytes: try fixture.joinReplyBytes(), seed: seed)
        digest = Digest.mix(digest, result.digest)
        ticks.append(result)
      }
      section(options, CoreTextReport.ticks(ticks))

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
      section(options, CoreTextReport.memory(memory))

      let checks = Targets.evaluate(status: status, joins: joins)
      if options.json {
        let results = CoreJSONReport.Results(
          options: options, clockOverhead: clockOverhead, status: status, joins: joins,
          ticks: ticks,
          memory: memory, checks: checks, digest: digest)
        print(CoreJSONReport.render(results).text)
      } else {
        print(CoreTextReport.footer(checks, digest: digest))
      }
    } catch {
      StandardError.emit("rumor-bench core: \(error)")
      return 1
    }
    return 0
  }

  /// Prints a table unless the output is JSON.
  private static func section(_ options: CoreBenchOptions, _ text: String) {
    guard !options.json else { return }
    print(text)
  }
}
