import CommandLineSupport
import Rumor

/// What `resolve`, `services` and `health` share: a registry over the
/// configuration and, with `--peer`, that peer's view of the cluster.
enum ServiceCommands {
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
