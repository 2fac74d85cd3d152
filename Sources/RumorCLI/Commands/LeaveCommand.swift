import CommandLineSupport
import Rumor

/// `rumor leave`: tells the local agent to leave the cluster gracefully
/// and exit, as `serf leave` does.
enum LeaveCommand {
  static let summary = "Tell the local agent to leave the cluster gracefully and exit (serf leave)"
  static let help = """
    Usage: rumor leave [--agent IP:PORT]

    Asks the local agent (POST /v1/agent/leave) to leave: the others see
    it "left", not failed, and the agent exits 0, as on SIGTERM.
    $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor leave"
    let parsed = try ArgumentList(arguments, command: command, options: AgentOptions.options)
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    _ = try await AgentOptions.write("POST", "/v1/agent/leave", parsed, command: command)
    console.out("Graceful leave requested: the agent leaves and exits.")
  }
}
