/// Intents about members memberlist has not reported yet: gossip can carry
/// a member's join or leave intent here before memberlist's own news of the
/// member arrives. When memberlist then reports the member, its buffered
/// intent decides its first status time, and a leave makes it *leaving*.
///
/// One intent per member, the latest by Lamport time (Serf's
/// `recentIntents` with `upsertIntent` and `recentIntent`). Intents expire
/// after `lifetime`; unlike Serf's map the buffer is bounded, dropping the
/// oldest intent when full.
///
/// Every operation but the reaper's `expire` is O(1) amortised, full or
/// not: intents are also listed in arrival order, so the oldest is at the
/// front of that list (a flood of intents about made-up names, as a
/// push-pull of 100,000 unknown status times is, must not cost a scan of
/// the buffer per name).
struct SerfIntentBuffer: Sendable, Hashable {
  enum Kind: Hashable, Sendable {
    case join
    case leave
  }

  struct Intent: Hashable, Sendable {
    var kind: Kind
    var lamportTime: UInt64
    var receivedAt: Timestamp
    /// Its place in arrival order (`arrivals`).
    var sequence: UInt64 = 0
  }

  /// One entry of the arrival list; stale once its member's intent has a
  /// later `sequence` (replaced) or is gone.
  private struct Arrival: Hashable, Sendable {
    var member: String
    var sequence: UInt64
  }

  private(set) var intents: [String: Intent] = [:]
  /// Members in the order their intents arrived, oldest from `head` on.
  private var arrivals: [Arrival] = []
  private var head = 0
  private var nextSequence: UInt64 = 0
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
      expireOldest(now: now)
      if intents.count >= capacity {
        evictOldest()
        evicted = true
      }
    }
    nextSequence += 1
    intents[member] = Intent(
      kind: kind, lamportTime: lamportTime, receivedAt: now, sequence: nextSequence)
    arrivals.append(Arrival(member: member, sequence: nextSequence))
    compactIfSparse()
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
    compactIfSparse()
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

  /// The intent at the front of the arrival list, skipping stale entries.
  private mutating func oldest() -> Arrival? {
    while head < arrivals.count {
      let arrival = arrivals[head]
      if intents[arrival.member]?.sequence == arrival.sequence { return arrival }
      head += 1
    }
    return nil
  }

  /// Drops expired intents from the front: arrival order is time order.
  private mutating func expireOldest(now: Timestamp) {
    while let arrival = oldest(), let intent = intents[arrival.member],
      isExpired(intent, now: now)
    {
      intents[arrival.member] = nil
      head += 1
    }
  }

  private mutating func evictOldest() {
    guard let arrival = oldest() else { return }
    intents[arrival.member] = nil
    head += 1
  }

  /// Drops stale entries from the arrival list once they outnumber the
  /// live ones, so that it stays O(intents) long.
  private mutating func compactIfSparse() {
    let listed = arrivals.count - head
    guard listed > 64, listed > 2 * intents.count else { return }
    let intents = self.intents
    arrivals = arrivals[head...].filter { intents[$0.member]?.sequence == $0.sequence }
    head = 0
  }
}
