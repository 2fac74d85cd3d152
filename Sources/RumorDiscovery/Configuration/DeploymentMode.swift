/// How the services of a deployment are laid out, which decides the
/// conventions for host names, gossip seeds and defaults (the product
/// brief's four modes).
public enum DeploymentMode: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  /// One machine, every service on localhost (development).
  case local
  /// One machine, services in containers that reach each other by
  /// container name (`autobot-<name>`).
  case dockerLocal = "docker_local"
  /// Several machines with DNS names under a domain
  /// (`<name>-01.<domain>`).
  case distributed
  /// A Kubernetes cluster: services by their cluster DNS names
  /// (`<name>-service.<namespace>.svc.cluster.local`).
  case kubernetes

  /// The spelling used in files and `AUTOBOT_DEPLOYMENT_MODE`.
  public var description: String { rawValue }

  /// Parses a mode as written in a file or variable.
  public init(parsing text: String) throws(InvalidValue) {
    self = try Choice.parse(text, as: DeploymentMode.self, what: "deployment mode")
  }
}
