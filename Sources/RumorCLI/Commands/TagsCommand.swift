import CommandLineSupport
import Rumor

/// `rumor tags`: changes the local agent's tags, as `serf tags` does.
enum TagsCommand {
  static let summary = "Set or delete the local agent's tags (serf tags)"
  static let help = """
    Usage: rumor tags [--agent IP:PORT] [--json] [--set KEY=VALUE]... [--delete KEY]...

    Sets and deletes tags of the local agent (PATCH /v1/agent/tags): each
    --set is applied, then each --delete; its other tags stay. The change
    reaches every member, Serf agents included, with the agent's next
    incarnation. Its services' tags (svc.*, health.*) are not changed
    here (rumor agent --service). Prints the tags as they are now.
    $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
      --set KEY=VALUE    set the tag KEY (repeatable)
      --delete KEY       delete the tag KEY (repeatable)
      --json             print {"tags": {...}} as JSON
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor tags"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options + [
        .init(name: "set", takesValue: true),
        .init(name: "delete", takesValue: true),
        .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    var set: [(key: String, value: JSONValue)] = []
    for item in parsed.values("set") {
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw .usage("--set wants KEY=VALUE, not '\(item)'", command: command)
      }
      set.append((String(parts[0]), .string(String(parts[1]))))
    }
    let delete = parsed.values("delete")
    guard !set.isEmpty || !delete.isEmpty else {
      throw .usage("give --set KEY=VALUE or --delete KEY", command: command)
    }
    let body = JSONValue.object([
      ("set", .object(set)), ("delete", .array(delete.map { .string($0) })),
    ])
    let answer = try await AgentOptions.write(
      "PATCH", "/v1/agent/tags", body: Array(body.text.utf8), parsed, command: command)
    if parsed.flag("json") { return console.out(answer.text) }
    var lines = ["Successfully updated agent tags"]
    if case .object(let tags)? = answer["tags"] {
      for tag in tags {
        if case .string(let value) = tag.value {
          lines.append("\(tag.key.logText)=\(value.logText)")
        }
      }
    }
    console.out(lines.joined(separator: "\n"))
  }
}
