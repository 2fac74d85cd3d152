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

  /// The spelling in files.
  public var description: String { rawValue }
}
