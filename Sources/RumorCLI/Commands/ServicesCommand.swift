import CommandLineSupport
import Rumor

/// `rumor services`: every service instance a node's gossip view holds.
enum ServicesCommand {
  static let summary = "List the services a running node sees advertised, with their health"
  static let help = """
    Usage: rumor services [NAME] [--agent IP:PORT | --peer HOST:PORT] [--config FILE]
                          [--json]

    Lists every service instance advertised in the cluster as the local
    agent sees it (GET /v1/services), or with --peer as the node at
    HOST:PORT sees it: one row per instance, from its member's svc.NAME and
    health.NAME tags (a plain `serf agent -tag svc.redis=redis://:6379`
    shows up like any Rumor node). Tags that do not parse are reported on
    stderr, with the member that sent them.

    Options:
    \(AgentOptions.help)
    \(PeerOptions.help)
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      NAME               only this service
      --json             a JSON array of {service, url, node, health, member_status}
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor services"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + AgentOptions.options + [
        .init(name: "config", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 1)
    let wanted = parsed.positional.first
    try ServiceCommands.validate(parsed.positional, command: command)
    let instances: [JSONValue]
    if let members = try await PeerOptions.members(parsed, command: command) {
      let catalog = ServiceCatalog(members: members)
      for problem in catalog.problems { console.err("warning: \(problem)") }
      instances = catalog.services.filter { wanted == nil || $0 == wanted }
        .flatMap { catalog.instances[$0] ?? [] }.map(AgentJSON.instance)
    } else {
      let target = wanted.map { "/v1/services/\(AgentOptions.encoded($0))" } ?? "/v1/services"
      let (status, json) = try await AgentOptions.get(target, parsed, command: command)
      if status == 200, case .array(let values) = json {
        instances = values
      } else if status == 404 {
        instances = []
      } else {
        throw .failure("the agent answered \(status): \(AgentOptions.message(json))")
      }
      // The agent's list leaves out instances whose tag does not parse;
      // its members say which, as --peer's view does.
      if case (200, .array(let values))? = try? await AgentOptions.get(
        "/v1/members", parsed, command: command)
      {
        let catalog = ServiceCatalog(members: values.compactMap(AgentOptions.member))
        for problem in catalog.problems { console.err("warning: \(problem)") }
      }
    }
    if parsed.flag("json") {
      console.out(JSONValue.array(instances).text)
      return
    }
    if instances.isEmpty {
      console.err(
        wanted.map { "no member advertises \($0)" } ?? "no member advertises any service")
      return
    }
    func field(_ value: JSONValue, _ key: String) -> String {
      if case .string(let text)? = value[key] { return text }
      return "-"
    }
    console.out(
      TextTable.render(
        header: ["SERVICE", "URL", "NODE", "HEALTH", "MEMBER"],
        rows: instances.map { instance in
          ["service", "url", "node", "health", "member_status"].map { field(instance, $0) }
        }))
  }
}
