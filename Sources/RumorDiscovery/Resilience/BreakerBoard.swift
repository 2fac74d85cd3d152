import RumorCore
import Synchronization

/// The circuit breakers and failure scores of every instance this process
/// has called, shared by all the lanes of a registry (and by copies of a
/// `ServiceResolver`): a failure reported on one thread opens the circuit
/// for every caller.
///
/// Lookups must not all take one lock, so the board keeps a count of the
/// instances it tracks in an atomic: while it is zero (no call has failed
/// lately, the usual case) a lookup reads only that count. An instance's
/// history is dropped once its breaker is closed and its failures have
/// decayed away, so the board goes quiet again after a burst.
public final class BreakerBoard: Sendable {
  /// The breakers' settings.
  public let settings: CircuitBreaker.Settings
  private let storage = Mutex<[HostAndPort: InstanceHistory]>([:])
  private let tracked = Atomic<Int>(0)

  /// A failure score below this counts as no failure at all.
  static let forgottenScore = 0.05

  /// An empty board.
  public init(settings: CircuitBreaker.Settings = CircuitBreaker.Settings()) {
    self.settings = settings
  }

  /// Whether no instance has a history: every breaker is closed and no
  /// failure counts. One atomic load.
  public var isQuiet: Bool { tracked.load(ordering: .acquiring) == 0 }

  /// Runs `body` on the histories under the board's lock; afterwards,
  /// histories that no longer matter at `now` are dropped.
  public func withHistories<Result>(
    at now: Timestamp, _ body: (inout [HostAndPort: InstanceHistory]) -> Result
  ) -> Result {
    storage.withLock { histories in
      let result = body(&histories)
      if !histories.isEmpty {
        histories = histories.filter { !$0.value.isForgettable(at: now) }
      }
      tracked.store(histories.count, ordering: .releasing)
      return result
    }
  }

  /// Every history, as one copy (the dictionary's storage is shared, not
  /// copied, until the board changes).
  public var histories: [HostAndPort: InstanceHistory] {
    storage.withLock { $0 }
  }

  /// The history of `key`, if it has one.
  public func history(of key: HostAndPort) -> InstanceHistory? {
    guard !isQuiet else { return nil }
    return storage.withLock { $0[key] }
  }
}

extension InstanceHistory {
  /// Whether this history changes nothing any more: the breaker is closed
  /// with no failure in a row, and old failures have decayed away.
  func isForgettable(at now: Timestamp) -> Bool {
    breaker.state(at: now) == .closed && breaker.consecutiveFailures == 0
      && recentFailures(at: now) < BreakerBoard.forgottenScore
  }
}
