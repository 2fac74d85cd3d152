import CommandLineSupport
import Rumor

/// The agent's handler for its node's log records: one timestamped line
/// each on standard output, from `notice` up (joining the cluster, staying
/// alone, refused traffic, stopping on its own). Membership events are
/// `info`: the agent prints those itself, in its own format. Each line
/// also goes to the `rumor monitor` clients, at its level.
struct ConsoleLogHandler: RumorLogHandler {
  /// Where lines go.
  let console: Console
  /// Where they also go, for `rumor monitor`.
  var monitor: AgentMonitor?
  /// The lowest level printed.
  var logLevel: RumorLogLevel = .notice

  func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
    // Join errors can quote what a peer answered: escaped like every
    // other text from the network.
    let line = "\(logTimestamp()) \(level >= .warning ? "\(level): " : "")\(message.logText)"
    console.out(line)
    monitor?.record(level, line)
  }
}
