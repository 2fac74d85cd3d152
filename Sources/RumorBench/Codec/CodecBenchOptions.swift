import CommandLineSupport

/// What the command line asked for.
struct CodecBenchOptions: BenchmarkOptions, Equatable {
  /// The command as typed, for messages.
  static let command = "rumor-bench codec"

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

  /// Parses the arguments after `rumor-bench codec`.
  static func parse(_ arguments: [String]) throws(CommandError) -> CodecBenchOptions {
    let parsed = try BenchArguments(arguments, command: command)
    var options = CodecBenchOptions()
    options.help = parsed.help
    options.json = parsed.json
    options.quick = parsed.quick
    return options
  }

  /// The text `--help` prints.
  static let usage = """
    usage: rumor-bench codec [--json] [--quick] [--help]

    Measures the RumorWire codec: encode and decode of a ping, an ack, an
    alive with 200 bytes of Serf tags, a full 1400-byte compound of gossip,
    the same kind of compound AES-GCM encrypted, the compound with LZW, a
    push-pull of 1,000 members, and LZW alone on a compound's payload and on
    that push-pull ("lzw/..."). "encode" builds the datagram from message
    values (for compounds: packing, CRC and, where enabled, compression and
    encryption); "decode" is PacketCodec.decode of that datagram; for the
    "lzw/..." rows they are LZW.compress and LZW.decompress. Each figure is
    the median of 7 runs of about 0.3 s on a monotonic clock; MB/s counts
    datagram bytes (10^6), for "lzw/..." the uncompressed bytes.
    Build in release: swift run -c release rumor-bench codec

      --json    print one JSON object instead of the table
      --quick   3 runs of about 0.03 s each (a smoke test, not figures to quote)
      --help    print this text

    """
}
