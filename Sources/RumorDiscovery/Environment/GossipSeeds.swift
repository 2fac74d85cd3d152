/// The members a node tries to join through. Its `gossip.join` list comes
/// first, then the mode's conventional seeds; a node needs only one of
/// them to answer, and names that do not resolve are skipped.
///
/// | mode | conventional seeds |
/// |---|---|
/// | local | `127.0.0.1:7946`: the first node on the machine takes 7946 |
/// | docker_local | `autobot-<name>:7946` for each service: container names |
/// | distributed | `<name>-01.<domain>:7946` for each service: DNS names |
/// | kubernetes | `rumor-gossip.<namespace>.svc.cluster.local:7946`: a headless Service selecting every Rumor pod, whose name resolves to all their addresses |
public enum GossipSeeds {
  /// The headless Service whose DNS name lists every Rumor pod in
  /// Kubernetes (`clusterIP: None`, port 7946 UDP and TCP).
  public static let headlessService = "rumor-gossip"

  /// The seeds: `join` first, then the convention, without repeats.
  /// `services` are the service names whose hosts are seeds in
  /// docker_local and distributed modes.
  public static func seeds(
    join: [HostAndPort], mode: DeploymentMode, domain: String?, namespace: String,
    services: [String]
  ) -> [HostAndPort] {
    var seeds: [HostAndPort] = []
    for seed in join
      + conventional(mode: mode, domain: domain, namespace: namespace, services: services)
    where !seeds.contains(seed) {
      seeds.append(seed)
    }
    return seeds
  }

  /// The mode's conventional seeds alone.
  public static func conventional(
    mode: DeploymentMode, domain: String?, namespace: String, services: [String]
  ) -> [HostAndPort] {
    let port = GossipDefaults.port
    switch mode {
    case .local:
      return [HostAndPort(host: "127.0.0.1", port: port)]
    case .dockerLocal, .distributed:
      return services.compactMap { service in
        ServiceHostConvention.host(
          forService: service, mode: mode, domain: domain, namespace: namespace
        )
        .map { HostAndPort(host: $0, port: port) }
      }
    case .kubernetes:
      return [HostAndPort(host: "\(headlessService).\(namespace).svc.cluster.local", port: port)]
    }
  }
}
