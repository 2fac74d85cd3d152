import CommandLineSupport

/// What the command line asked for.
struct CoreBenchOptions: BenchmarkOptions {
  /// The command as typed, for messages.
  static let command = "rumor-bench core"

  /// Print one JSON object instead of the tables.
  var json = false
  /// Short runs, for a smoke test rather than figures worth quoting.
  var quick = false
  /// Print the usage text and do nothing else.
  var help = false
  /// Cluster sizes (members a node knows, itself included), ascending.
  var sizes = [100, 1_000, 2_000, 10_000]

  /// Timed status-change cycles per size and path (five events each).
  var statusCycles: Int { quick ? 1_000 : 20_000 }
  /// Untimed cycles first; over 1,024 so that the broadcast queue is full
  /// at the sizes where it can be.
  var statusWarmUpCycles: Int { quick ? 1_100 : 2_000 }
  /// Runs of each join figure.
  var joinRuns: Int { quick ? 1 : 5 }
  /// Virtual seconds of timed ticks per size.
  var tickSeconds: Int { quick ? 20 : 120 }
  /// Members held across the nodes of one memory measurement.
  var memoryMemberBudget: Int { quick ? 40_000 : 200_000 }

  /// The smallest and largest cluster the benchmark builds.
  static let sizeRange = 10...100_000

  /// Parses the arguments after `rumor-bench core`.
  static func parse(_ arguments: [String]) throws(CommandError) -> CoreBenchOptions {
    let parsed = try BenchArguments(
      arguments, command: command,
      options: [ArgumentList.Option(name: "sizes", takesValue: true)])
    var options = CoreBenchOptions()
    options.help = parsed.help
    options.json = parsed.json
    options.quick = parsed.quick
    options.sizes = try parsed.counts("sizes", in: sizeRange) ?? options.sizes
    return options
  }

  /// The text `--help` prints.
  static let usage = """
    usage: rumor-bench core [--json] [--quick] [--sizes N,N,...] [--help]

    Measures the SWIM core (SWIMNode) per event, at each cluster size n (the
    members a node knows, itself included; default 100,1000,2000,10000):

      status change  one Suspect, Alive refutation, Alive with new tags, Dead
                     and Alive rejoin, each timed alone through receive() and
                     through receivePacket() (codec included): median, p99
      join           CPU seconds for a fresh node to take in n members from a
                     join push-pull reply (streamReplied) and from n alive
                     messages one by one; and for a member answering a join
                     (handleStream)
      tick           tick(now:) at steady state on a virtual clock
      memory         heap (mallinfo2) and RSS growth per node of n members

    Everything uses fixed seeds. Build in release:
      swift build -c release --scratch-path .build-bench --product rumor-bench

      --json          print one JSON object instead of the tables
      --quick         short runs (a smoke test, not figures to quote)
      --sizes LIST    comma-separated sizes, 10 to 100000
      --help          print this text

    """
}
