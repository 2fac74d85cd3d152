import CommandLineSupport
import Foundation
import Rumor

/// `rumor members`: the cluster as one member sees it, without joining.
enum MembersCommand {
  static let summary = "List the members a running node (Rumor or Serf) knows, without joining"
  static let help = """
    Usage: rumor members --peer HOST:PORT [--encrypt BASE64KEY] [--label LABEL] [--json]
                         [--status alive|suspect|failed|left]

    Asks the node at HOST:PORT (a Rumor agent, a Serf agent, any memberlist
    node) for its view of the cluster with a read-only state exchange: the
    node learns nothing from it and this command does not join.

    Options:
      --peer HOST:PORT   the node to ask (required); a name is resolved
      --encrypt KEY      the cluster's key, if it is encrypted (serf keygen format)
      --label LABEL      the cluster's label, if it has one
      --status S         only members in this state: alive, suspect, failed, left
      --json             a JSON array of {name, addr, port, status, incarnation, tags}
      --timeout SECONDS  how long to wait for the answer (default 5)
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor members"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        .init(name: "peer", takesValue: true), .init(name: "encrypt", takesValue: true),
        .init(name: "label", takesValue: true), .init(name: "status", takesValue: true),
        .init(name: "timeout", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    guard let peerText = try parsed.value("peer") else {
      throw .usage("--peer is required", command: command)
    }
    var wanted: MemberState?
    if let status = try parsed.value("status") {
      guard let state = MemberState.allCases.first(where: { $0.description == status }) else {
        throw .usage(
          "--status must be alive, suspect, failed or left (not '\(status)')", command: command)
      }
      wanted = state
    }
    let timeout =
      try NodeOptions.seconds(try parsed.value("timeout"), option: "timeout", command: command) ?? 5
    let keys = try NodeOptions.keys(parsed.values("encrypt"))
    do {
      _ = try AddressResolver.split(peerText, defaultPort: 7946)
    } catch {
      throw .usage("--peer: \(error)", command: command)
    }
    let peer: NodeAddress
    do {
      guard let first = try await AddressResolver.resolve(peerText, defaultPort: 7946).first else {
        throw TransportError("'\(peerText)' resolves to nothing")
      }
      peer = first
    } catch {
      throw .failure("\(error)")
    }
    let members: [Member]
    do {
      members = try await PeerQuery.members(
        of: peer, keys: keys, label: try parsed.value("label") ?? "",
        timeout: .milliseconds(Int64(timeout * 1000)))
    } catch {
      throw .failure("\(error)")
    }
    let shown = members.filter { wanted == nil || $0.state == wanted }
    if parsed.flag("json") {
      console.out(JSONValue.array(shown.map(json)).text)
    } else {
      console.out(table(shown))
    }
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
      return [
        member.name, member.address.description, member.state.description,
        String(member.incarnation),
        memberTags.keys.sorted().map { "\($0)=\(memberTags[$0] ?? "")" }.joined(separator: ","),
      ]
    }
    return TextTable.render(
      header: ["NAME", "ADDRESS", "STATUS", "INCARNATION", "TAGS"], rows: rows)
  }
}
