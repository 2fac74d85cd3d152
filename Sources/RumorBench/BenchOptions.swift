/// What the command line asked for.
struct BenchOptions: Equatable {
  /// Print one JSON object instead of the table.
  var json = false
  /// Short runs, for a smoke test rather than figures worth quoting.
  var quick = false
  /// Print the usage text and do nothing else.
  var help = false

  /// Timed runs per measurement; the median of them is reported.
  var runs: Int { quick ? 3 : 7 }
  /// Target length of one timed run, in seconds.
  var runSeconds: Double { quick ? 0.03 : 0.3 }

  /// A flag the parser does not know; the message is the whole stderr line.
  struct UsageError: Error, Equatable {
    let message: String
  }

  /// Parses the arguments after the program name.
  static func parse(_ arguments: some Sequence<String>) throws(UsageError) -> BenchOptions {
    var options = BenchOptions()
    for argument in arguments {
      switch argument {
      case "--json": options.json = true
      case "--quick": options.quick = true
      case "--help", "-h": options.help = true
      default:
        throw UsageError(
          message: "rumor-bench: unknown argument '\(argument)' (try 'rumor-bench --help')")
      }
    }
    return options
  }

  /// The text `--help` prints.
  static let usage = """
    usage: rumor-bench [--json] [--quick] [--help]

    Measures the RumorWire codec: encode and decode of a ping, an ack, an
    alive with 200 bytes of Serf tags, a full 1400-byte compound of gossip,
    the same kind of compound AES-GCM encrypted, and the compound with LZW.
    "encode" builds the datagram from message values (for compounds: packing,
    CRC and, where enabled, compression and encryption); "decode" is
    PacketCodec.decode of that datagram. Each figure is the median of 7 runs
    of about 0.3 s on a monotonic clock; MB/s counts datagram bytes (10^6).
    Build in release: swift run -c release rumor-bench

      --json    print one JSON object instead of the table
      --quick   3 runs of about 0.03 s each (a smoke test, not figures to quote)
      --help    print this text

    """
}
