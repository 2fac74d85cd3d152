/// At most one action per key per interval, remembering when each key last
/// acted; bounded: past `limit` keys, those whose interval has run out are
/// forgotten (they could act again anyway).
struct Cooldown<Key: Hashable & Sendable>: Sendable {
  /// When each key last acted, nanoseconds.
  private var last: [Key: Int64] = [:]
  /// How many keys are kept before the ones past their interval go.
  let limit: Int

  init(limit: Int = 1024) {
    self.limit = limit
  }

  /// Whether `key` may act at `now`, one `interval` after its last action;
  /// if so, `now` is its last action from here on.
  mutating func admits(_ key: Key, now: Int64, interval: Int64) -> Bool {
    if let previous = last[key], now.subtractingSaturating(previous) < interval { return false }
    if last.count >= limit {
      last = last.filter { now.subtractingSaturating($0.value) < interval }
    }
    last[key] = now
    return true
  }
}
