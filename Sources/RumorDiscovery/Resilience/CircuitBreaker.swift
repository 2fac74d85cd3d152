import RumorCore

/// A circuit breaker for one service instance (the brief's pattern):
/// closed while calls succeed; after `failureThreshold` consecutive
/// failures it opens and the instance is skipped; after `resetTimeout` it
/// goes half-open and lets one trial call through; that call's success
/// closes it, its failure opens it again.
///
/// Time comes in with every call (`Timestamp`), so tests run on fake time.
public struct CircuitBreaker: Hashable, Sendable {
  /// Where the breaker stands.
  public enum State: String, Hashable, Sendable {
    /// Calls go through.
    case closed
    /// Calls are refused until the reset timeout passes.
    case open
    /// One trial call may go through.
    case halfOpen = "half_open"
  }

  /// The settings, the brief's by default: 5 failures, 60 s.
  public struct Settings: Hashable, Sendable {
    /// Consecutive failures that open the circuit.
    public var failureThreshold: Int
    /// How long it stays open before a trial.
    public var resetTimeout: Duration

    /// Creates settings.
    public init(failureThreshold: Int = 5, resetTimeout: Duration = .seconds(60)) {
      self.failureThreshold = max(1, failureThreshold)
      self.resetTimeout = resetTimeout
    }
  }

  /// The settings.
  public let settings: Settings
  /// Consecutive failures so far.
  public private(set) var consecutiveFailures = 0
  private var openedAt: Timestamp?
  /// When the half-open trial was handed out. A caller that never reports
  /// its outcome must not wedge the instance, so a claim older than
  /// `resetTimeout` lapses and the next caller gets the trial.
  private var trialClaimedAt: Timestamp?

  /// A closed breaker.
  public init(settings: Settings = Settings()) {
    self.settings = settings
  }

  /// The state at `now`.
  public func state(at now: Timestamp) -> State {
    guard let openedAt else { return .closed }
    return now < openedAt + settings.resetTimeout ? .open : .halfOpen
  }

  /// When an open breaker turns half-open; nil when closed.
  public var reopensAt: Timestamp? { openedAt.map { $0 + settings.resetTimeout } }

  /// Whether a call may go to the instance now. In the half-open state
  /// only one trial goes through until its outcome is reported.
  public mutating func allowsRequest(at now: Timestamp) -> Bool {
    switch state(at: now) {
    case .closed: return true
    case .open: return false
    case .halfOpen:
      guard !trialPending(at: now) else { return false }
      trialClaimedAt = now
      return true
    }
  }

  /// Whether a call would be allowed, without claiming the trial.
  public func wouldAllowRequest(at now: Timestamp) -> Bool {
    switch state(at: now) {
    case .closed: true
    case .open: false
    case .halfOpen: !trialPending(at: now)
    }
  }

  private func trialPending(at now: Timestamp) -> Bool {
    guard let trialClaimedAt else { return false }
    return now < trialClaimedAt + settings.resetTimeout
  }

  /// A call succeeded: the circuit closes.
  public mutating func recordSuccess() {
    consecutiveFailures = 0
    openedAt = nil
    trialClaimedAt = nil
  }

  /// A call failed: count it; open at the threshold, or again after a
  /// failed trial.
  public mutating func recordFailure(at now: Timestamp) {
    consecutiveFailures += 1
    if state(at: now) == .halfOpen || consecutiveFailures >= settings.failureThreshold {
      openedAt = now
    }
    trialClaimedAt = nil
  }
}
