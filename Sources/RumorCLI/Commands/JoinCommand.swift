import CommandLineSupport
import Rumor

/// `rumor join`: tells the local agent to join more members, as `serf
/// join` does.
enum JoinCommand {
  static let summary = "Tell the local agent to join the members at these addresses (serf join)"
  static let help = """
    Usage: rumor join [--agent IP:PORT] ADDRESS...

    Asks the local agent (POST /v1/agent/join) to join through each
    ADDRESS (HOST:PORT, or a name that resolves to several addresses, as
    `rumor agent --join` takes them). Fails when none answered.
    $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor join"
    let parsed = try ArgumentList(arguments, command: command, options: AgentOptions.options)
    if parsed.wantsHelp { return console.out(help) }
    guard !parsed.positional.isEmpty else {
      throw .usage("give at least one ADDRESS to join", command: command)
    }
    let body = JSONValue.object([("addresses", .array(parsed.positional.map { .string($0) }))])
    let answer = try await AgentOptions.write(
      "POST", "/v1/agent/join", body: Array(body.text.utf8), parsed, command: command,
      timeout: 30)
    var joined = 0
    if case .integer(let count)? = answer["joined"] { joined = Int(count) }
    console.out("Successfully joined cluster by contacting \(joined) nodes.")
  }
}
