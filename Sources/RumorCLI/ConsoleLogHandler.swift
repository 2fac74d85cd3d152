import CommandLineSupport
import Rumor

/// The agent's handler for its node's log records: one timestamped line
/// each on standard output, from `notice` up (joining the cluster, staying
/// alone, refused traffic, stopping on its own). Membership events are
/// `info`: the agent prints those itself, in its own format.
struct ConsoleLogHandler: RumorLogHandler {
  /// Where lines go.
  let console: Console
  /// The lowest level printed.
  var logLevel: RumorLogLevel = .notice

  func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
    // Join errors can quote what a peer answered: escaped like every
    // other text from the network.
    console.out("\(logTimestamp()) \(level >= .warning ? "\(level): " : "")\(message.logText)")
  }
}
