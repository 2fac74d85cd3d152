import CommandLineSupport

/// What the command line asked for.
struct JoinBenchOptions: BenchmarkOptions {
  /// The command as typed, for messages.
  static let command = "rumor-bench join"

  /// Print one JSON object instead of the table.
  var json = false
  /// Print the usage text and do nothing else.
  var help = false
  /// One run, for a smoke test rather than figures worth quoting.
  var quick = false
  /// Member states in the join (the node ends up knowing one more).
  var members = 10_000
  /// Runs, each with a fresh node; the median is reported.
  var runs = 5
  /// How long one run may take before it fails, in seconds.
  var timeoutSeconds = 30

  /// Parses the arguments after `rumor-bench join`.
  static func parse(_ arguments: [String]) throws(CommandError) -> JoinBenchOptions {
    let parsed = try BenchArguments(
      arguments, command: command,
      options: [
        ArgumentList.Option(name: "members", takesValue: true),
        ArgumentList.Option(name: "runs", takesValue: true),
        ArgumentList.Option(name: "timeout", takesValue: true),
      ])
    var options = JoinBenchOptions()
    options.help = parsed.help
    options.json = parsed.json
    options.quick = parsed.quick
    if options.quick { options.runs = 1 }
    options.members = try parsed.count("members", in: 1...200_000) ?? options.members
    options.runs = try parsed.count("runs", in: 1...100) ?? options.runs
    options.timeoutSeconds = try parsed.count("timeout", in: 1...600) ?? options.timeoutSeconds
    return options
  }

  /// The text `--help` prints.
  static let usage = """
    usage: rumor-bench join [--members N] [--runs N] [--timeout S] [--quick] [--json] [--help]

    Measures a join of N members through a real node: starts a RumorNode on
    127.0.0.1 (port 0) in this process, then acts as a peer joining it: opens
    a TCP connection and sends a memberlist push-pull join holding N alive
    member states (distinct names, 127.0.0.x addresses and ports, Serf tags)
    and Serf's push-pull state with each member's status time, reads the
    node's reply, and waits until the node lists N + 1 members. Reports the
    wall time from connecting to that moment, the CPU time of the node's own
    thread ("rumor-<name>") over the same span, and the process's peak RSS.
    Each run starts a fresh node; the median is reported. The node probes
    the members it learned, which do not exist; a run ends long before that
    matters. Build in release:
      swift build -c release --scratch-path .build-bench --product rumor-bench

      --members N   member states in the join (default 10,000)
      --runs N      runs, each with a fresh node (default 5)
      --timeout S   seconds one run may take before it fails (default 30)
      --quick       one run (a smoke test, not figures to quote)
      --json        print one JSON object instead of the table
      --help        print this text

    """
}
