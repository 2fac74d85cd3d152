import CommandLineSupport
import Rumor

/// `rumor query`: asks the cluster through the local agent, as `serf
/// query` does, and prints the acks and responses.
enum QueryCommand {
  static let summary = "Ask the cluster a query through the local agent (serf query)"
  static let help = """
    Usage: rumor query [--agent IP:PORT] [--timeout 5s] [--json] NAME [PAYLOAD]

    Sends the query NAME, with PAYLOAD as its bytes, through the local
    agent's HTTP API (POST /v1/query/NAME), waits for its deadline and
    prints who acknowledged it and what each member answered. Serf agents
    and Rumor nodes with a handler for NAME answer (`rumor agent
    --event-handler query:NAME=SCRIPT`). $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
      --timeout D        the query's deadline (default 5s, at most 25s)
      --json             {"name", "acks": [...], "responses": {node: text}}
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor query"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options + [
        .init(name: "timeout", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 2)
    guard let name = parsed.positional.first, !name.isEmpty else {
      throw .usage("give the query's NAME", command: command)
    }
    let payload = parsed.positional.count > 1 ? Array(parsed.positional[1].utf8) : []
    var seconds = 5.0
    if let text = try parsed.value("timeout") {
      do {
        seconds = DurationText.seconds(try DurationText.parse(text, maximum: .seconds(25)))
      } catch {
        throw .usage("--timeout: \(error.reason)", command: command)
      }
    }
    let answer = try await AgentOptions.write(
      "POST", "/v1/query/\(AgentOptions.segment(name))?timeout=\(seconds)s", body: payload, parsed,
      command: command, timeout: seconds + 10)
    if parsed.flag("json") { return console.out(answer.text) }
    var lines: [String] = []
    if case .array(let acks)? = answer["acks"] {
      for case .string(let from) in acks { lines.append("Ack from '\(from)'") }
    }
    var count = 0
    if case .object(let responses)? = answer["responses"] {
      for response in responses {
        guard case .string(let text) = response.value else { continue }
        count += 1
        lines.append("Response from '\(response.key)': \(text.logText)")
      }
    }
    let acks: Int
    if case .array(let list)? = answer["acks"] { acks = list.count } else { acks = 0 }
    lines.append("Total Acks: \(acks)")
    lines.append("Total Responses: \(count)")
    console.out(lines.joined(separator: "\n"))
  }
}
