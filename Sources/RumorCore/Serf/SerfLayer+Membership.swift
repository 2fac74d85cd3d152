extension SerfLayer {
  /// memberlist sees `member` (`MembershipEvent.joined`; Serf's
  /// `handleNodeJoin`): it is alive, or leaving if a leave intent about it
  /// came first. A member seen again after failing or leaving is alive.
  /// Returns the change, if the status moved.
  public mutating func memberJoined(_ member: String, now: Timestamp) -> SerfStatusChange? {
    // A join cancels a pruning force-leave still waiting for this member:
    // in Serf the wait holds the member lock, so the join is handled after
    // the erase and brings the member back as alive; the end is the same.
    if !pendingPrunes.isEmpty { pendingPrunes[member] = nil }
    if var record = table[serf: member] {
      let previous = record.status
      record.status = .alive
      record.leaveTime = nil
      table[serf: member] = record
      guard previous != .alive else { return nil }
      return SerfStatusChange(member: member, previous: previous, current: .alive)
    }
    var record = SerfMemberRecord(status: .alive, statusTime: 0, leaveTime: nil)
    if let joinTime = intents.recent(.join, about: member, now: now) {
      record.statusTime = joinTime
    }
    if let leaveTime = intents.recent(.leave, about: member, now: now) {
      record.status = .leaving
      record.statusTime = leaveTime
    }
    table[serf: member] = record
    return SerfStatusChange(member: member, previous: nil, current: record.status)
  }

  /// memberlist declared `member` dead (`MembershipEvent.failed`).
  /// Serf does not tell a failure from a leave at this level: see
  /// `memberLeft`.
  public mutating func memberFailed(_ member: String, now: Timestamp) -> SerfStatusChange? {
    memberLost(member, now: now)
  }

  /// memberlist recorded that `member` left (`MembershipEvent.left`; Serf's
  /// `handleNodeLeave`, which memberlist calls for dead and left alike): a
  /// member that announced its leave (leaving) is now left, one that did
  /// not (alive) has failed. Either way its reconnect or tombstone timeout
  /// starts now.
  public mutating func memberLeft(_ member: String, now: Timestamp) -> SerfStatusChange? {
    memberLost(member, now: now)
  }

  private mutating func memberLost(_ member: String, now: Timestamp) -> SerfStatusChange? {
    guard var record = table[serf: member] else { return nil }
    let previous = record.status
    switch previous {
    case .leaving: record.status = .left
    case .alive: record.status = .failed
    case .left, .failed:
      // Serf logs "bad state" and changes nothing: memberlist already
      // reported this member gone.
      return nil
    }
    record.leaveTime = now
    table[serf: member] = record
    lostOrder.append((member, now))
    wakeReaper(now: now)
    return SerfStatusChange(member: member, previous: previous, current: record.status)
  }

  /// Forgets the members lost longest ago while more than
  /// `SerfSettings.lostMemberLimit` could be kept; returns them. O(1)
  /// amortised: every loss adds one entry to a queue that is kept no
  /// longer than the limit.
  public mutating func forgetBeyondLostLimit() -> [SerfStatusChange] {
    var forgotten: [SerfStatusChange] = []
    while lostOrder.count - lostOrderHead > settings.lostMemberLimit {
      let (member, time) = lostOrder[lostOrderHead]
      lostOrderHead += 1
      guard let record = table[serf: member], record.leaveTime == time,
        record.status == .failed || record.status == .left
      else { continue }
      if let change = forget(member) {
        counters.lostMembersForgottenEarly += 1
        forgotten.append(change)
      }
    }
    if lostOrderHead > 1024 && lostOrderHead * 2 > lostOrder.count {
      lostOrder.removeFirst(lostOrderHead)
      lostOrderHead = 0
    }
    return forgotten
  }
}
