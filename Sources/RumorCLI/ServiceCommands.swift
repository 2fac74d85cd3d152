import CommandLineSupport
import Rumor

/// What `resolve`, `services` and `health` share: a registry over the
/// configuration and, with `--peer`, that peer's view of the cluster.
enum ServiceCommands {
  /// The help lines of `--no-agent`.
  static let noAgentHelp = """
      --no-agent         resolve here, from this process's environment and
                         configuration alone (gossip skipped): no agent needed
    """

  /// Refuses a NAME that cannot be a service (`Redis`, `a b`), which
  /// no step could resolve and whose variables would read `A B_HOST`.
  static func validate(_ names: [String], command: String) throws(CommandError) {
    for name in names {
      do {
        try ServiceName.validate(name)
      } catch {
        throw .usage(error.reason, command: command)
      }
    }
  }

  /// Whether the command asks the local agent: neither --peer nor
  /// --no-agent.
  static func asksAgent(_ parsed: ArgumentList) throws(CommandError) -> Bool {
    try parsed.value("peer") == nil && !parsed.flag("no-agent")
  }

  /// The registry for a command line with `PeerOptions` and `--config`.
  static func registry(_ parsed: ArgumentList, command: String) async throws(CommandError)
    -> ServiceRegistry
  {
    let configuration = try PeerOptions.configuration(parsed)
    if let members = try await PeerOptions.members(parsed, command: command) {
      return ServiceRegistry(configuration: configuration, members: members)
    }
    return ServiceRegistry(configuration: configuration)
  }
}
