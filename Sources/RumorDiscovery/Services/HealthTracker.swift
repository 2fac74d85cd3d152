/// Turns a stream of check results into the health a node gossips for one
/// of its services.
///
/// A service starts `critical`, as Consul's checks do: nothing is known
/// about it until a check passes, and routing to a service that has not
/// started is worse than waiting one check. A failure below the threshold
/// makes a passing service `warning` (resolvers then prefer other
/// instances but still use it if nothing passes); `failuresBeforeCritical`
/// consecutive failures make it `critical`; `successesBeforePassing`
/// consecutive successes bring it back.
public struct HealthTracker: Hashable, Sendable {
  /// Consecutive failures that make the service critical.
  public let failuresBeforeCritical: Int
  /// Consecutive successes that make a critical service passing.
  public let successesBeforePassing: Int
  /// The health to gossip.
  public private(set) var health: ServiceHealth = .critical
  /// Failures in a row so far.
  public private(set) var consecutiveFailures = 0
  /// Successes in a row so far.
  public private(set) var consecutiveSuccesses = 0

  /// A tracker with the thresholds of `check`.
  public init(check: HealthCheck) {
    self.init(
      failuresBeforeCritical: check.failuresBeforeCritical,
      successesBeforePassing: check.successesBeforePassing)
  }

  /// A tracker with explicit thresholds (at least 1 each).
  public init(failuresBeforeCritical: Int, successesBeforePassing: Int) {
    self.failuresBeforeCritical = max(1, failuresBeforeCritical)
    self.successesBeforePassing = max(1, successesBeforePassing)
  }

  /// Takes a status that a check decided itself (a TTL check's renewal
  /// or its expiry): no thresholds apply, as in Consul, where the
  /// application states the status. Returns whether the health changed.
  @discardableResult
  public mutating func set(_ status: ServiceHealth) -> Bool {
    let before = health
    health = status
    consecutiveFailures = status == .critical ? failuresBeforeCritical : 0
    consecutiveSuccesses = status == .passing ? successesBeforePassing : 0
    return health != before
  }

  /// Records one check; returns whether the health changed.
  @discardableResult
  public mutating func record(passed: Bool) -> Bool {
    let before = health
    if passed {
      consecutiveFailures = 0
      consecutiveSuccesses = min(consecutiveSuccesses + 1, successesBeforePassing)
      if health == .warning || consecutiveSuccesses >= successesBeforePassing {
        health = .passing
      }
    } else {
      consecutiveSuccesses = 0
      consecutiveFailures = min(consecutiveFailures + 1, failuresBeforeCritical)
      if consecutiveFailures >= failuresBeforeCritical {
        health = .critical
      } else if health == .passing {
        health = .warning
      }
    }
    return health != before
  }
}
