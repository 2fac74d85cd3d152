import CommandLineSupport
import Rumor

/// `rumor members`: the cluster as one member sees it, without joining.
enum MembersCommand {
  static let summary = "List the members a running node (Rumor or Serf) knows, without joining"
  static let help = """
    Usage: rumor members [--agent IP:PORT | --peer HOST:PORT] [--config FILE]
                         [--encrypt BASE64KEY] [--label LABEL] [--json]
                         [--status alive|suspect|failed|left]

    Asks the local agent's HTTP API (GET /v1/members) for its view of the
    cluster; with --peer, asks the node at HOST:PORT instead (a Rumor agent,
    a Serf agent, any memberlist node) with a read-only state exchange: the
    node learns nothing from it and this command does not join.

    Options:
    \(AgentOptions.help)
    \(PeerOptions.help)
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      --status S         only members in this state: alive, suspect, failed, left
      --json             a JSON array of {name, addr, port, status, incarnation, tags}
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor members"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + AgentOptions.options + [
        .init(name: "config", takesValue: true), .init(name: "status", takesValue: true),
        .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    var wanted: MemberState?
    if let status = try parsed.value("status") {
      guard let state = MemberState.allCases.first(where: { $0.description == status }) else {
        throw .usage(
          "--status must be alive, suspect, failed or left (not '\(status)')", command: command)
      }
      wanted = state
    }
    let members: [Member]
    if let fromPeer = try await PeerOptions.members(parsed, command: command) {
      members = fromPeer
    } else {
      members = try await agentMembers(parsed, command: command)
    }
    let shown = members.filter { wanted == nil || $0.state == wanted }
    if parsed.flag("json") {
      console.out(JSONValue.array(shown.map(json)).text)
    } else {
      console.out(table(shown))
    }
  }

  /// The members the local agent knows (`GET /v1/members`).
  static func agentMembers(_ parsed: ArgumentList, command: String) async throws(CommandError)
    -> [Member]
  {
    let (status, json) = try await AgentOptions.get("/v1/members", parsed, command: command)
    guard status == 200, case .array(let values) = json else {
      throw .failure("the agent answered \(status): \(AgentOptions.message(json))")
    }
    return values.compactMap(AgentOptions.member)
  }

  static func tags(of member: Member) -> [String: String] {
    (try? SerfTags.decode(member.meta)) ?? [:]
  }

  private static func json(_ member: Member) -> JSONValue {
    let memberTags = tags(of: member)
    return .object([
      ("name", .string(member.name)), ("addr", .string(member.address.host)),
      ("port", .count(member.address.port)), ("status", .string(member.state.description)),
      ("incarnation", .count(member.incarnation)),
      ("tags", .object(memberTags.keys.sorted().map { ($0, .string(memberTags[$0] ?? "")) })),
    ])
  }

  /// Aligned columns: name, address, status, incarnation, tags.
  static func table(_ members: [Member]) -> String {
    let rows = members.map { member -> [String] in
      let memberTags = tags(of: member)
      // Names and tags come from the network: escaped, so that none can
      // break the table or drive the terminal.
      return [
        member.name.logField, member.address.description, member.state.description,
        String(member.incarnation),
        memberTags.keys.sorted().map { "\($0.logText)=\((memberTags[$0] ?? "").logText)" }
          .joined(separator: ","),
      ]
    }
    return TextTable.render(
      header: ["NAME", "ADDRESS", "STATUS", "INCARNATION", "TAGS"], rows: rows)
  }
}
