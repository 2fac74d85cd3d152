import CommandLineSupport
import Rumor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `rumor-bench resolve`: how long ServiceRegistry.url(for:) takes with
/// 1,000 members and 100 services, next to a GET from a Redis server on
/// loopback (the central-registry alternative).
enum ResolveBenchmark {
  /// Runs the benchmark with the arguments after its name; returns the
  /// exit status.
  static func run(_ arguments: [String]) -> Int32 {
    let options: ResolveBenchOptions
    switch ResolveBenchOptions.read(arguments) {
    case .success(let parsed): options = parsed
    case .failure(let exit): return exit.status
    }

    do {
      let results = try measure(options)
      if options.json {
        print(ResolveJSONReport.render(results, options: options).text)
      } else {
        print(ResolveTextReport.render(results, options: options))
      }
      if case .failed(let reason) = results.redis {
        StandardError.emit("rumor-bench resolve: the Redis comparison failed: \(reason)")
        return 1
      }
    } catch {
      StandardError.emit("rumor-bench resolve: \(error)")
      return 1
    }
    return 0
  }

  /// Runs every section in order; Redis last, so that its server process
  /// does not exist while the lookups are timed.
  private static func measure(_ options: ResolveBenchOptions) throws -> BenchResults {
    let fixture = try ResolveFixture()
    let registry = fixture.makeRegistry()
    let names = fixture.serviceNames
    let clockPair = Clocks.readingPairCost(pairs: 100_000)
    let single = try ResolveBench(
      warmUpCalls: options.warmUpCalls, timedCalls: options.calls, batchCalls: options.batchCalls,
      batches: options.batches
    ).run(registry: registry, names: names)
    let concurrent =
      options.threads > 0
      ? try ConcurrentResolveBench(
        threads: options.threads, warmUpCalls: options.warmUpCalls / options.threads,
        timedCallsPerThread: max(options.calls / options.threads, 1),
        batchCallsPerThread: max(options.batchCalls / options.threads, 1)
      ).run(registry: registry, names: names) : nil
    let change = try CatalogChangeBench(changes: options.builds).run(fixture: fixture)

    let redis: RedisOutcome
    if !options.redis {
      redis = .skipped("--no-redis was given")
    } else if let executable = RedisServer.find(onPath: getenv("PATH").map { String(cString: $0) })
    {
      do {
        redis = .measured(
          try RedisGetBench(warmUpCalls: options.redisWarmUpCalls, timedCalls: options.redisCalls)
            .run(executable: executable))
      } catch {
        redis = .failed("\(error)")
      }
    } else {
      redis = .skipped(
        "redis-server is not on PATH (Debian: apt-get install redis-server), so there is no central registry to compare with"
      )
    }
    return BenchResults(
      machine: MachineDescription.current(), census: fixture.census, clockPair: clockPair,
      single: single, concurrent: concurrent, change: change, redis: redis)
  }
}
