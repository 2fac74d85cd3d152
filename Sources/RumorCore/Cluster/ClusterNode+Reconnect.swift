extension ClusterNode {
  /// Serf's reconnect: every `SerfSettings.reconnectInterval`, with
  /// probability failed / alive, a memberlist join to one failed member
  /// picked at random. Failed members are kept (with their last address)
  /// until reaped, long after SWIM has forgotten them, so that two halves
  /// of a partition find each other again however long it lasted.
  mutating func reconnect(now: Timestamp) -> [Effect] {
    guard let serf else {
      nextReconnect = nil
      return []
    }
    let failed = serf.failedMembers.compactMap { lostMembers[$0] }
    guard !failed.isEmpty else {
      nextReconnect = nil
      return []
    }
    nextReconnect = now.nanoseconds.addingSaturating(reconnectInterval)
    guard pendingLeave == nil, !hasFinishedLeaving else { return [] }
    let alive = max(1, serf.statuses.values.count(where: { $0 == .alive }))
    let chance = Double(failed.count) / Double(alive)
    guard random.unit() < chance else { return [] }
    let target = failed[random.below(failed.count)]
    guard swim.mayReconnect(to: target.name, now: now) else { return [] }
    // Serf's reconnect is a plain memberlist join: events missed while
    // apart are replayed from the peer's ring.
    return join([target.address], replayingEvents: true, now: now)
  }
}
