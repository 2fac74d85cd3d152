/// How a resolver picks among several healthy instances of a service.
public enum LoadBalancingStrategy: String, CaseIterable, Hashable, Sendable,
  CustomStringConvertible
{
  /// In turn, each caller keeping its own cursor (the default: spreads
  /// load evenly without coordination).
  case roundRobin = "round_robin"
  /// Uniformly at random.
  case random
  /// Always the first healthy instance in configured order (primary with
  /// fail-over to backups).
  case first
  /// The instance with the fewest recent failures seen by this process.
  case leastFailures = "least_failures"
  /// The instance with the lowest estimated round trip from this node,
  /// from the network coordinates (Serf's Vivaldi); in turn among equally
  /// near ones, and round robin when no instance's round trip is known.
  case nearest

  /// The spelling in files.
  public var description: String { rawValue }
}
