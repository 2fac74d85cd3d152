/// The host a service has by the deployment mode's convention, the last
/// step of resolution, when neither the environment, gossip nor the file
/// names one:
///
/// | mode | host |
/// |---|---|
/// | local | `localhost` |
/// | docker_local | `autobot-<name>` (the container's name) |
/// | distributed | `<name>-01.<domain>` (the first machine of the service) |
/// | kubernetes | `<name>-service.<namespace>.svc.cluster.local` |
public enum ServiceHostConvention {
  /// The conventional host of `service`; nil in distributed mode without a
  /// domain, where there is no convention to follow.
  public static func host(
    forService service: String, mode: DeploymentMode, domain: String?, namespace: String
  ) -> String? {
    switch mode {
    case .local: "localhost"
    case .dockerLocal: "autobot-\(service)"
    case .distributed: domain.map { "\(service)-01.\(trimmingDot($0))" }
    case .kubernetes: "\(service)-service.\(namespace).svc.cluster.local"
    }
  }

  /// The rule in words, for `rumor config show`.
  public static func pattern(for mode: DeploymentMode) -> String {
    switch mode {
    case .local: "localhost"
    case .dockerLocal: "autobot-<name>"
    case .distributed: "<name>-01.<domain>"
    case .kubernetes: "<name>-service.<namespace>.svc.cluster.local"
    }
  }

  private static func trimmingDot(_ domain: String) -> String {
    domain.hasSuffix(".") ? String(domain.dropLast()) : domain
  }
}
