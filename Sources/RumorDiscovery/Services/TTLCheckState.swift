import RumorCore

/// The state of a TTL check (Consul's): the application renews it with a
/// status, and a renewal holds for `ttl`; past that the service is
/// `critical` until the next renewal.
///
/// Pure: time is passed in (`Timestamp`, monotonic), so the expiry is
/// decided the same way by the node's check task and by a test on fake
/// time. A check starts unrenewed, hence `critical`, as Consul's TTL
/// checks and `HealthTracker` do.
public struct TTLCheckState: Hashable, Sendable {
  /// How long one renewal holds.
  public let ttl: Duration
  /// The status of the last renewal (`passing` by default).
  public private(set) var reported: ServiceHealth = .critical
  /// The note of the last renewal, if it had one.
  public private(set) var note: String?
  /// When the last renewal stops holding; nil before the first.
  public private(set) var expiry: Timestamp?

  /// A check that has not been renewed yet.
  public init(ttl: Duration) {
    self.ttl = ttl
  }

  /// Renews the check at `now` with `status` (Consul's pass, warn and
  /// fail) and an optional note saying why.
  public mutating func renew(
    _ status: ServiceHealth = .passing, note: String? = nil, now: Timestamp
  ) {
    reported = status
    self.note = note
    let (sum, overflow) = now.nanoseconds.addingReportingOverflow(max(0, ttl.nanosecondsClamped))
    expiry = Timestamp(nanoseconds: overflow ? Int64.max : sum)
  }

  /// Whether the last renewal no longer holds at `now` (or there was
  /// none).
  public func isExpired(at now: Timestamp) -> Bool {
    guard let expiry else { return true }
    return now >= expiry
  }

  /// The health to gossip at `now`: the renewed status while the renewal
  /// holds, `critical` after.
  public func health(at now: Timestamp) -> ServiceHealth {
    isExpired(at: now) ? .critical : reported
  }

  /// When the health next changes by itself (the expiry), or nil when
  /// only a renewal can change it.
  public func nextChange(after now: Timestamp) -> Timestamp? {
    guard let expiry, now < expiry, reported != .critical else { return nil }
    return expiry
  }

  /// Why the service has the health it has at `now`, in words: the note,
  /// or that it was never renewed or not renewed in time.
  public func explanation(at now: Timestamp) -> String? {
    guard expiry != nil else { return "the TTL check has not been renewed yet" }
    if isExpired(at: now) {
      return "the TTL check was not renewed within \(DurationText.format(ttl))"
        + (note.map { " (last note: \($0))" } ?? "")
    }
    return note
  }
}
