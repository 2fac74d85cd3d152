/// Intents about members memberlist has not reported yet: gossip can carry
/// a member's join or leave intent here before memberlist's own news of the
/// member arrives. When memberlist then reports the member, its buffered
/// intent decides its first status time, and a leave makes it *leaving*.
///
/// One intent per member, the latest by Lamport time (Serf's
/// `recentIntents` with `upsertIntent` and `recentIntent`). Intents expire
/// after `lifetime`; unlike Serf's map the buffer is bounded, dropping the
/// oldest intent when full.
struct SerfIntentBuffer: Sendable, Hashable {
  enum Kind: Hashable, Sendable {
    case join
    case leave
  }

  struct Intent: Hashable, Sendable {
    var kind: Kind
    var lamportTime: UInt64
    var receivedAt: Timestamp
  }

  private(set) var intents: [String: Intent] = [:]
  let capacity: Int
  /// Nanoseconds an intent stays usable.
  let lifetime: Int64

  init(capacity: Int, lifetime: Duration) {
    self.capacity = max(1, capacity)
    self.lifetime = lifetime.nanosecondsClamped
  }

  var count: Int { intents.count }
  var isEmpty: Bool { intents.isEmpty }

  /// What `upsert` did.
  enum Upsert: Equatable {
    /// The intent is kept; `evicted` tells whether another had to go.
    case stored(evicted: Bool)
    /// A later intent about the member is already kept.
    case stale
  }

  /// Keeps the intent unless one at least as late is kept for the member.
  /// Serf re-gossips an intent exactly when it is kept.
  mutating func upsert(_ kind: Kind, about member: String, at lamportTime: UInt64, now: Timestamp)
    -> Upsert
  {
    if let existing = live(member, now: now), lamportTime <= existing.lamportTime {
      return .stale
    }
    var evicted = false
    if intents[member] == nil && intents.count >= capacity {
      expire(now: now)
      if intents.count >= capacity {
        evictOldest()
        evicted = true
      }
    }
    intents[member] = Intent(kind: kind, lamportTime: lamportTime, receivedAt: now)
    return .stored(evicted: evicted)
  }

  /// The time of the buffered intent of `kind` about `member`, if there is
  /// a live one.
  func recent(_ kind: Kind, about member: String, now: Timestamp) -> UInt64? {
    guard let intent = live(member, now: now), intent.kind == kind else { return nil }
    return intent.lamportTime
  }

  /// Drops intents older than the lifetime (Serf's `reapIntents`).
  mutating func expire(now: Timestamp) {
    intents = intents.filter { !isExpired($0.value, now: now) }
  }

  /// An intent is only used within its lifetime, even before the reaper
  /// gets to it: Serf reaps every 15 s, which would make the lifetime
  /// depend on when the reaper last ran.
  private func live(_ member: String, now: Timestamp) -> Intent? {
    guard let intent = intents[member], !isExpired(intent, now: now) else { return nil }
    return intent
  }

  private func isExpired(_ intent: Intent, now: Timestamp) -> Bool {
    now.nanoseconds(since: intent.receivedAt) > lifetime
  }

  private mutating func evictOldest() {
    // A full buffer is rare (a flood of intents about made-up names); a
    // scan then costs less than keeping an ordered index all the time.
    guard
      let oldest = intents.min(by: { left, right in
        (left.value.receivedAt, left.key) < (right.value.receivedAt, right.key)
      })
    else { return }
    intents[oldest.key] = nil
  }
}
