extension SerfLayer {
  /// When `tick` should next be called: the next reaper run or pruning
  /// deadline; nil while neither is due.
  public var nextDeadline: Timestamp? {
    // Without building arrays: the owner asks after every input.
    var earliest = nextReap
    func consider(_ time: Timestamp) {
      if let current = earliest, current <= time { return }
      earliest = time
    }
    for time in pendingPrunes.values { consider(time) }
    for query in pendingQueries.values { consider(query.deadline) }
    return earliest
  }

  /// Runs what is due at `now`: pruning force-leaves whose wait is over,
  /// and every `reapInterval` the reaper (Serf's `handleReap`), which
  /// forgets failed members after `reconnectTimeout`, left ones after
  /// `tombstoneTimeout`, and drops buffered intents older than
  /// `recentIntentTimeout`. Returns the members forgotten.
  public mutating func tick(now: Timestamp) -> [SerfStatusChange] {
    var changes: [SerfStatusChange] = []
    let duePrunes = pendingPrunes.filter { $0.value <= now }.keys.sorted()
    for member in duePrunes {
      pendingPrunes[member] = nil
      if let change = forget(member) { changes.append(change) }
    }
    if let due = nextReap, due <= now {
      changes += reap(now: now)
    }
    return changes
  }

  private mutating func reap(now: Timestamp) -> [SerfStatusChange] {
    intents.expire(now: now)
    let reconnect = settings.reconnectTimeout.nanosecondsClamped
    let tombstone = settings.tombstoneTimeout.nanosecondsClamped
    var expired: [String] = []
    var remaining = 0
    table.forEachSerfRecord { member, record in
      guard let leaveTime = record.leaveTime else { return }
      let timeout: Int64
      switch record.status {
      case .failed: timeout = reconnect
      case .left: timeout = tombstone
      case .alive, .leaving: return
      }
      if now.nanoseconds(since: leaveTime) > timeout && member != name {
        expired.append(member)
      } else {
        remaining += 1
      }
    }
    var changes: [SerfStatusChange] = []
    for member in expired.sorted() {
      if let change = forget(member) { changes.append(change) }
    }
    // Sleep until something reapable appears again rather than waking an
    // idle node every interval.
    nextReap = remaining > 0 || !intents.isEmpty ? now + settings.reapInterval : nil
    return changes
  }

  /// Removes a member from the layer (Serf's `eraseNode`). This node is
  /// never forgotten: its own entry carries its status time in every
  /// push-pull and is what refutation checks against. (Serf would erase
  /// itself if pruned; Rumor keeps going as a member instead.)
  mutating func forget(_ member: String) -> SerfStatusChange? {
    guard member != name, let record = table[serf: member] else { return nil }
    table[serf: member] = nil
    pendingPrunes[member] = nil
    counters.membersForgotten += 1
    return SerfStatusChange(member: member, previous: record.status, current: nil)
  }
}
