import CommandLineSupport
import Rumor

/// `rumor event`: sends a user event through the local agent, as `serf
/// event` does.
enum EventCommand {
  static let summary = "Send a user event to the cluster through the local agent (serf event)"
  static let help = """
    Usage: rumor event [--agent IP:PORT] [--no-coalesce] NAME [PAYLOAD]

    Sends the user event NAME, with PAYLOAD as its bytes, to every member
    through the local agent's HTTP API (POST /v1/event/NAME); Serf agents
    get it too, and event handlers run for it (`rumor agent
    --event-handler`). NAME and PAYLOAD together must stay under 512
    bytes. $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
      --no-coalesce      ask receivers not to coalesce this event with others of
                         its name
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor event"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options + [.init(name: "no-coalesce", takesValue: false)])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 2)
    guard let name = parsed.positional.first, !name.isEmpty else {
      throw .usage("give the event's NAME", command: command)
    }
    let payload = parsed.positional.count > 1 ? Array(parsed.positional[1].utf8) : []
    let query = parsed.flag("no-coalesce") ? "?coalesce=false" : ""
    _ = try await AgentOptions.write(
      "POST", "/v1/event/\(AgentOptions.segment(name))\(query)", body: payload, parsed,
      command: command)
    console.out("Event '\(name)' dispatched! Coalescing enabled: \(query.isEmpty)")
  }
}
