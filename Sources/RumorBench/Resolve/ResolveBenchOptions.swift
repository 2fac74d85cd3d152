import CommandLineSupport

/// What the command line asked for.
struct ResolveBenchOptions: BenchmarkOptions {
  /// The command as typed, for messages.
  static let command = "rumor-bench resolve"

  /// Print one JSON object instead of the tables.
  var json = false
  /// Print the usage text and do nothing else.
  var help = false
  /// Small counts, for a smoke test rather than figures worth quoting.
  var quick = false
  /// Start redis-server and time GETs next to the lookups.
  var redis = true
  /// `url(for:)` calls timed one by one on one thread.
  var calls = 200_000
  /// `url(for:)` calls in each batch timed as a whole.
  var batchCalls = 1_000_000
  /// Threads resolving at once in the concurrent section; 0 skips it.
  var threads = 4
  /// Redis GETs timed one by one.
  var redisCalls = 50_000
  /// Catalog changes timed one by one in each change section.
  var builds = 200

  /// Untimed lookups before each timed series.
  var warmUpCalls: Int { min(20_000, max(calls / 10, 100)) }
  /// Untimed GETs first: the connection, the server's and the kernel's
  /// paths are warm when timing starts.
  var redisWarmUpCalls: Int { min(2_000, max(redisCalls / 10, 100)) }
  /// Batches on one thread; the median is reported.
  var batches: Int { quick ? 1 : 3 }

  /// Parses the arguments after `rumor-bench resolve`.
  static func parse(_ arguments: [String]) throws(CommandError) -> ResolveBenchOptions {
    let parsed = try BenchArguments(
      arguments, command: command,
      options: [
        ArgumentList.Option(name: "no-redis", takesValue: false),
        ArgumentList.Option(name: "calls", takesValue: true),
        ArgumentList.Option(name: "batch", takesValue: true),
        ArgumentList.Option(name: "threads", takesValue: true),
        ArgumentList.Option(name: "redis-calls", takesValue: true),
        ArgumentList.Option(name: "builds", takesValue: true),
      ])
    var options = ResolveBenchOptions()
    options.help = parsed.help
    options.json = parsed.json
    options.redis = !parsed.flag("no-redis")
    if parsed.quick {
      // Explicit counts below still win over these.
      options.quick = true
      options.calls = 20_000
      options.batchCalls = 100_000
      options.redisCalls = 5_000
      options.builds = 20
    }
    options.calls = try parsed.count("calls", in: 1_000...100_000_000) ?? options.calls
    options.batchCalls = try parsed.count("batch", in: 1_000...1_000_000_000) ?? options.batchCalls
    options.threads = try parsed.count("threads", in: 0...64) ?? options.threads
    options.redisCalls =
      try parsed.count("redis-calls", in: 1_000...10_000_000) ?? options.redisCalls
    options.builds = try parsed.count("builds", in: 1...100_000) ?? options.builds
    return options
  }

  /// The text `--help` prints.
  static let usage = """
    usage: rumor-bench resolve [--calls N] [--batch N] [--threads N] [--redis-calls N]
                               [--builds N] [--no-redis] [--quick] [--json] [--help]

    Measures ServiceRegistry.url(for:) over a fixed snapshot of 1,000 members
    advertising 100 services (about 11 instances each, some warning, critical
    or on suspect members), cycling through the 100 names (round robin):

      per call     each call timed alone with two CLOCK_MONOTONIC readings:
                   p50, p90, p99, p99.9, max (ns); the cost of a reading pair
                   by itself is printed so it can be subtracted
      batched      calls timed as a whole: ns per call and calls per second
      threads      N threads resolving at once on one registry: each one's
                   p50/p99 and the aggregate calls per second (how the rate
                   scales with threads)
      changes      the node thread's update of its catalog for one changed
                   member among 1,000 and among 10,000 members, the first
                   url(for:) after a published change, and a full build of
                   the catalog for comparison
      redis        GET of one key from a redis-server started on a free
                   loopback port (one persistent connection, RESP by hand),
                   each timed alone; skipped when redis-server is not on PATH

    Build in release:
      swift build -c release --scratch-path .build-bench --product rumor-bench

      --calls N        lookups timed one by one (default 200,000)
      --batch N        lookups per batch (default 1,000,000; median of 3)
      --threads N      concurrent resolving threads, 0 to skip (default 4)
      --redis-calls N  GETs timed one by one (default 50,000)
      --builds N       catalog changes timed per section (default 200)
      --no-redis       do not start redis-server
      --quick          small counts (a smoke test, not figures to quote)
      --json           print one JSON object instead of the tables
      --help           print this text

    """
}
