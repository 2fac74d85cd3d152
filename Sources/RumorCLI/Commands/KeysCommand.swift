import CommandLineSupport
import Rumor
import RumorWire

/// `rumor keys`: rotates the gossip encryption key across the cluster
/// through the local agent, as `serf keys` does.
enum KeysCommand {
  static let summary = "Install, use, remove or list gossip keys cluster-wide (serf keys)"
  static let help = """
    Usage: rumor keys [--agent IP:PORT] --install KEY | --use KEY | --remove KEY | --list [--json]

    Changes the encryption keyring of every member, Serf agents included,
    through the local agent's HTTP API (POST /v1/keys/install, /use,
    /remove; GET /v1/keys): the agent sends Serf's key query and reports
    each member's answer. Rotate in this order, each step done everywhere
    before the next, and nobody drops out of the cluster:

      rumor keys --install NEW   every member accepts NEW as well
      rumor keys --use NEW       every member encrypts with NEW
      rumor keys --remove OLD    OLD is gone

    Make a key with `rumor keygen`. A KEY of - is read from standard input
    (one line), which keeps it out of `ps`: rumor keygen | tee new.key |
    rumor keys --install -. Members that keep a keyring file
    (--keyring-file) write the change down; a failed write is reported as
    that member's failure. Fails (exit 1) unless every member answered
    and none failed. Listing needs a write's authorization too (it shows
    the keys). $RUMOR_HTTP_TOKEN is sent when set.

    Options:
    \(AgentOptions.help)
      --install KEY      add KEY (base64) to every member's keyring
      --use KEY          make KEY, installed everywhere, the one used to encrypt
      --remove KEY       remove KEY (refused where it is the one in use)
      --list             list every key and how many members hold it
      --json             print the agent's answer as JSON
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor keys"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options
        + ["install", "use", "remove"].map { .init(name: $0, takesValue: true) } + [
          .init(name: "list", takesValue: false), .init(name: "json", takesValue: false),
        ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    var chosen: [(operation: String, key: String?)] = []
    for operation in ["install", "use", "remove"] {
      if let key = try parsed.value(operation) { chosen.append((operation, key)) }
    }
    if parsed.flag("list") { chosen.append(("list", nil)) }
    guard chosen.count == 1, let (operation, key) = chosen.first else {
      throw .usage("give exactly one of --install, --use, --remove or --list", command: command)
    }
    let (status, answer): (Int, JSONValue)
    if var key {
      if key == "-" {
        // One line, bounded: a key is 44 characters.
        guard let line = readLine(strippingNewline: true), line.utf8.count <= 1024 else {
          throw .usage("--\(operation) -: no key on standard input", command: command)
        }
        key = line
      }
      let trimmed = key.trimmingWhitespace
      guard let bytes = Base64.decode(trimmed), [16, 24, 32].contains(bytes.count) else {
        throw .usage(
          "--\(operation): the key must be base64 of 16, 24 or 32 bytes (make one with 'rumor keygen')",
          command: command)
      }
      let body = JSONValue.object([("key", .string(trimmed))])
      (status, answer) = try await AgentOptions.send(
        "POST", "/v1/keys/\(operation)", body: Array(body.text.utf8), parsed, command: command,
        timeout: 30)
    } else {
      (status, answer) = try await AgentOptions.send(
        "GET", "/v1/keys", parsed, command: command, timeout: 30)
    }
    // A refusal before any member was asked (bad request, no authorization).
    guard answer["members"] != nil else {
      let agent = try AgentOptions.address(parsed, command: command)
      throw .failure("the agent at \(agent) refused: \(AgentOptions.message(answer))")
    }
    if parsed.flag("json") {
      console.out(answer.text)
      if status != 200 { throw .failure(AgentOptions.message(answer)) }
      return
    }
    let members = Self.count(answer["members"])
    var lines: [String] = []
    switch operation {
    case "install": lines.append("Installing key on all members...")
    case "use": lines.append("Changing primary key on all members...")
    case "remove": lines.append("Removing key on all members...")
    default: lines.append("Asking all members for installed keys...")
    }
    if case .object(let messages)? = answer["messages"], status != 200, !messages.isEmpty {
      let rows = messages.compactMap { message -> [String]? in
        guard case .string(let text) = message.value else { return nil }
        return ["failed:", message.key.logText, text.logText]
      }
      lines.append(TextTable.render(header: ["", "MEMBER", "MESSAGE"], rows: rows))
    }
    guard status == 200 else {
      console.out(lines.joined(separator: "\n"))
      let what =
        ["install": "installing key", "use": "changing primary key", "remove": "removing key"][
          operation] ?? "gathering member keys"
      throw .failure("Error \(what): \(AgentOptions.message(answer))")
    }
    switch operation {
    case "install": lines.append("Successfully installed key!")
    case "use": lines.append("Successfully changed primary key!")
    case "remove": lines.append("Successfully removed key!")
    default:
      lines.append("Keys gathered, listing cluster keys...")
      lines.append("")
      for (title, field) in [("", "keys"), ("Listing primary keys...", "primary_keys")] {
        if !title.isEmpty { lines += ["", title, ""] }
        guard case .object(let keys)? = answer[field] else { continue }
        for entry in keys {
          lines.append("\(entry.key)  [\(Self.count(entry.value))/\(members)]")
        }
      }
    }
    console.out(lines.joined(separator: "\n"))
  }

  static func count(_ value: JSONValue?) -> Int {
    if case .integer(let number)? = value { return Int(clamping: number) }
    return 0
  }
}
