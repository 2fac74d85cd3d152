/// A static pool of instances for one name (`load_balancers.<name>`), the
/// fallback when gossip knows no healthy instance, and the strategy for
/// that name's gossip instances too. Without hosts it only sets the
/// strategy.
public struct LoadBalancer: Hashable, Sendable {
  /// The name it is resolved by (`api`).
  public var name: String
  /// The instances, in order; empty when the entry only sets a strategy.
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
