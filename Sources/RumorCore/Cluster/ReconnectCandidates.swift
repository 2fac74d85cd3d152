/// The failed members a member may reconnect to, each with when it failed:
/// kept in an array so that one is picked at random in O(1), in an order
/// that depends only on the order of the failures (a seeded run replays
/// exactly, where a dictionary's order would change from process to
/// process).
struct ReconnectCandidates: Sendable {
  /// The members, in no meaningful order.
  private(set) var names: [String] = []
  /// Each member's place in `names` and when it failed (nanoseconds).
  private var entries: [String: (position: Int, failedAt: Int64)] = [:]
  /// The latest failure added: the youngest candidate may be younger
  /// than any still listed (it may have come back since), never older.
  private(set) var latestFailure: Int64?

  /// How many members are listed.
  var count: Int { names.count }

  /// Whether no member is listed.
  var isEmpty: Bool { names.isEmpty }

  /// When `name` failed, if it is listed.
  func failedAt(_ name: String) -> Int64? { entries[name]?.failedAt }

  /// Lists `name` as failed at `time` (again, if it was listed).
  mutating func insert(_ name: String, failedAt time: Int64) {
    if let entry = entries[name] {
      entries[name] = (entry.position, time)
    } else {
      entries[name] = (names.count, time)
      names.append(name)
    }
    latestFailure = max(latestFailure ?? time, time)
  }

  /// Takes `name` off the list.
  mutating func remove(_ name: String) {
    guard let entry = entries.removeValue(forKey: name) else { return }
    let last = names.count - 1
    if entry.position != last, let moved = names.last, let movedEntry = entries[moved] {
      names[entry.position] = moved
      entries[moved] = (entry.position, movedEntry.failedAt)
    }
    names.removeLast()
    if names.isEmpty { latestFailure = nil }
  }

  /// A member picked uniformly at random, and when it failed.
  func randomMember(using random: inout SplitMix64) -> (name: String, failedAt: Int64)? {
    guard !names.isEmpty else { return nil }
    let name = names[random.below(names.count)]
    guard let entry = entries[name] else { return nil }
    return (name, entry.failedAt)
  }
}
