import CommandLineSupport
import Rumor

/// `rumor force-leave`: declares a failed member gone through the local
/// agent, as `serf force-leave` does.
enum ForceLeaveCommand {
  static let summary = "Make a failed member left, so it is reaped (serf force-leave)"
  static let help = """
    Usage: rumor force-leave [--agent IP:PORT] [--prune] [--json] NODE

    Asks the local agent (POST /v1/agent/force-leave/NODE) to gossip
    Serf's leave intent for NODE: a failed member becomes left on every
    member, Serf agents included, so nobody tries to reconnect to it and
    it is reaped after the tombstone timeout. A member that is still
    alive refutes it and stays. $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
      --prune            every member forgets NODE at once (serf force-leave -prune)
      --json             print the agent's answer as JSON
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor force-leave"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options + [
        .init(name: "prune", takesValue: false), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 1)
    guard let name = parsed.positional.first, !name.isEmpty else {
      throw .usage("give the NODE to force out", command: command)
    }
    let query = parsed.flag("prune") ? "?prune=true" : ""
    let answer = try await AgentOptions.write(
      "POST", "/v1/agent/force-leave/\(AgentOptions.segment(name))\(query)", parsed,
      command: command)
    if parsed.flag("json") { return console.out(answer.text) }
    var before = "unknown"
    if case .string(let text)? = answer["status_before"] { before = text }
    var line = "Force-leave of '\(name.logText)' sent (it was \(before))"
    if before == "alive" { line += "; an alive member refutes it and stays" }
    console.out(line)
  }
}
