import RumorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What this process has seen of calls to one instance (one host and
/// port): its circuit breaker and a recent-failure score for the
/// `least_failures` strategy.
///
/// The score decays exponentially (half-life `halfLife`) rather than
/// counting a fixed window: an instance that failed a burst an hour ago
/// should not lose to one that failed once a second ago, and no list of
/// timestamps has to be kept.
public struct InstanceHistory: Hashable, Sendable {
  /// How fast old failures stop counting.
  public static let halfLife: Duration = .seconds(60)

  /// The instance's circuit breaker.
  public var breaker: CircuitBreaker
  private var score = 0.0
  private var scoredAt = Timestamp(nanoseconds: 0)

  /// A history with a closed breaker and no failures.
  public init(settings: CircuitBreaker.Settings) {
    breaker = CircuitBreaker(settings: settings)
  }

  /// The decayed failure count at `now`.
  public func recentFailures(at now: Timestamp) -> Double {
    let elapsed = Double(now.nanoseconds(since: scoredAt)) / 1e9
    let halfLife = Double(Self.halfLife.components.seconds)
    guard elapsed > 0 else { return score }
    return score * exp2(-elapsed / halfLife)
  }

  /// A call failed at `now`.
  public mutating func recordFailure(at now: Timestamp) {
    score = recentFailures(at: now) + 1
    scoredAt = max(scoredAt, now)
    breaker.recordFailure(at: now)
  }

  /// A call succeeded.
  public mutating func recordSuccess() {
    breaker.recordSuccess()
  }
}
