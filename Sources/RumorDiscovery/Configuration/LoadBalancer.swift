/// A static pool of instances for one name (`load_balancers.<name>`), the
/// fallback when gossip knows no healthy instance.
public struct LoadBalancer: Hashable, Sendable {
  /// The name it is resolved by (`api`).
  public var name: String
  /// The instances, in order.
  public var hosts: [HostAndPort]
  /// How to pick among them.
  public var strategy: LoadBalancingStrategy

  /// Creates a pool; round robin unless told otherwise.
  public init(name: String, hosts: [HostAndPort], strategy: LoadBalancingStrategy = .roundRobin) {
    self.name = name
    self.hosts = hosts
    self.strategy = strategy
  }
}
