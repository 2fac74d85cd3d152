import RumorCore

/// The gossip settings a node gets per deployment mode when neither the
/// file nor the environment sets them.
public enum GossipDefaults {
  /// memberlist's and Serf's port.
  public static let port: UInt16 = 7946
  /// The namespace of the brief's Kubernetes examples
  /// (`redis-service.autobot-system.svc.cluster.local`), used when neither
  /// the configuration nor the pod says another.
  public static let namespace = "autobot-system"
  /// Where Kubernetes tells a pod its namespace.
  public static let serviceAccountNamespaceFile =
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

  /// Loopback for local mode (nothing outside the machine should reach a
  /// development node); every interface elsewhere, since containers and
  /// machines are reached from outside.
  public static func bind(for mode: DeploymentMode) -> HostAndPort {
    HostAndPort(host: mode == .local ? "127.0.0.1" : "0.0.0.0", port: port)
  }

  /// memberlist's local profile on one machine (faster timings are safe on
  /// loopback), LAN elsewhere; WAN only when asked for, since it slows
  /// failure detection five-fold.
  public static func profile(for mode: DeploymentMode) -> Profile {
    mode == .local ? .local : .lan
  }

  /// The host name, but with the process id in local mode, where several
  /// nodes share one machine and names must differ.
  public static func nodeName(for mode: DeploymentMode, in host: HostEnvironment) -> String {
    mode == .local ? "\(host.hostName)-\(host.processID)" : host.hostName
  }
}
