import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

// rumor-bench: Rumor's benchmarks, one per subcommand (figures in
// docs/benchmarks.md; build in release).

let usage = """
  usage: rumor-bench <benchmark> [options]   (rumor-bench <benchmark> --help)

    codec     encode and decode throughput of the wire codec
    core      the SWIM core's cost per event, join, tick and member, up to 10,000 members
    resolve   ServiceRegistry.url(for:) latency next to a Redis GET on loopback
    join      a 10,000-member join through a real node's loop, Serf layer included
    agent     a resolve through the local agent over HTTP and DNS, next to Redis and a process

  Build in release: swift build -c release --product rumor-bench

  """

let arguments = Array(CommandLine.arguments.dropFirst())
let rest = Array(arguments.dropFirst())
switch arguments.first {
case "codec": exit(CodecBenchmark.run(rest))
case "core": exit(CoreBenchmark.run(rest))
case "resolve": exit(ResolveBenchmark.run(rest))
case "join": exit(JoinBenchmark.run(rest))
case "agent": exit(AgentBenchmark.run(rest))
case "--help", "-h", "help":
  print(usage, terminator: "")
  exit(0)
case let other:
  StandardError.emit(
    other.map { "rumor-bench: unknown benchmark '\($0)' (see 'rumor-bench --help')" }
      ?? "rumor-bench: which benchmark? (see 'rumor-bench --help')")
  exit(2)
}
