import CommandLineSupport
import Rumor

/// `rumor services`: every service instance a node's gossip view holds.
enum ServicesCommand {
  static let summary = "List the services a running node sees advertised, with their health"
  static let help = """
    Usage: rumor services --peer HOST:PORT [NAME] [--config FILE] [--json]

    Lists every service instance advertised in the cluster as the node at
    HOST:PORT sees it: one row per instance, from its member's svc.NAME and
    health.NAME tags (a plain `serf agent -tag svc.redis=redis://:6379`
    shows up like any Rumor node). Tags that do not parse are reported on
    stderr.

    Options (--peer is required):
    \(PeerOptions.help)
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      NAME               only this service
      --json             a JSON array of {service, url, node, health, member_status}
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor services"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + [
        .init(name: "config", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 1)
    guard let members = try await PeerOptions.members(parsed, command: command) else {
      throw .usage("--peer is required", command: command)
    }
    let catalog = ServiceCatalog(members: members)
    for problem in catalog.problems { console.err("warning: \(problem)") }
    let wanted = parsed.positional.first
    let instances = catalog.services.filter { wanted == nil || $0 == wanted }
      .flatMap { catalog.instances[$0] ?? [] }
    if parsed.flag("json") {
      console.out(
        JSONValue.array(
          instances.map { instance in
            .object([
              ("service", .string(instance.service)), ("url", .string(instance.url.description)),
              ("node", .string(instance.node)), ("health", .string(instance.health.rawValue)),
              ("member_status", .string(instance.memberState.description)),
            ])
          }
        ).text)
      return
    }
    if instances.isEmpty {
      console.err(
        wanted.map { "no member advertises \($0)" } ?? "no member advertises any service")
      return
    }
    console.out(
      TextTable.render(
        header: ["SERVICE", "URL", "NODE", "HEALTH", "MEMBER"],
        rows: instances.map {
          [$0.service, $0.url.description, $0.node, $0.health.rawValue, $0.memberState.description]
        }))
  }
}
