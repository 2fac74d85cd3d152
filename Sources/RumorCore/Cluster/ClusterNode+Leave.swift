/// A graceful leave in two steps, as Serf does it: first Serf's leave
/// intent, so that Serf peers will say "left" and not "failed", then
/// memberlist's leave once the intent has been gossiped out (or half the
/// time allowed, at most 2 s, has passed).
struct PendingLeave: Sendable, Hashable {
  /// When memberlist's leave goes out even if the intent is still queued.
  var intentDeadline: Int64
  /// When the leave is over even if memberlist's leave is still queued.
  var deadline: Int64
  /// Whether memberlist's leave has gone out.
  var memberlistLeaveSent = false
}

extension ClusterNode {
  /// Leaves gracefully: Serf's leave intent, then memberlist's leave.
  /// `Effect.leaveFinished` comes once both have been gossiped enough or
  /// `timeout` has passed; keep the node running until then so that the
  /// news gets out. A second call while a leave is under way, or after it,
  /// changes nothing (the first call's `leaveFinished` answers both, or
  /// `hasFinishedLeaving` is already true).
  public mutating func leave(now: Timestamp, timeout: Duration) -> [Effect] {
    guard pendingLeave == nil, !hasFinishedLeaving else { return [] }
    let clock = now.nanoseconds
    let allowed = max(0, timeout.nanosecondsClamped)
    var leave = PendingLeave(
      intentDeadline: clock.addingSaturating(min(allowed / 2, 2_000_000_000)),
      deadline: clock.addingSaturating(allowed))
    var effects: [Effect] = []
    if let intent = withSerf({ $0.leaveIntent() }) ?? nil {
      if swim.activeMemberCount > 1 {
        // Straight to every member as well as by gossip: the intent must be
        // there before memberlist's leave, or Serf says "failed".
        swim.broadcastUserMessage(intent)
        effects += swim.sendUserMessageToAliveMembers(intent, now: now)
      } else {
        leave.intentDeadline = clock
      }
    } else {
      leave.intentDeadline = clock
    }
    pendingLeave = leave
    return process(effects, now: now) + advanceLeave(now: now)
  }

  /// Takes the leave's next step if it is due.
  mutating func advanceLeave(now: Timestamp) -> [Effect] {
    guard var leave = pendingLeave else { return [] }
    let clock = now.nanoseconds
    var output: [Effect] = []
    if !leave.memberlistLeaveSent {
      guard swim.pendingUserMessages == 0 || clock >= leave.intentDeadline else { return [] }
      leave.memberlistLeaveSent = true
      pendingLeave = leave
      output += process(swim.leave(now: now), now: now)
    }
    guard swim.isLeaveBroadcast || clock >= leave.deadline else { return output }
    pendingLeave = nil
    hasFinishedLeaving = true
    output.append(.leaveFinished)
    return output
  }
}

extension ClusterNode {
  /// Declares `member` gone (`serf force-leave`): Serf's leave intent
  /// about it, applied here and gossiped. A failed member becomes left
  /// (an `Effect.event(.left)`), so Serf no longer reconnects to it and
  /// reaps it after the tombstone timeout; an alive one refutes it. With
  /// `prune` every member forgets it at once. A plain memberlist node
  /// (no Serf layer) has no leave intents and does nothing.
  public mutating func forceLeave(_ member: String, prune: Bool = false, now: Timestamp)
    -> [Effect]
  {
    guard let outcome = withSerf({ $0.forceLeaveIntent(member, prune: prune, now: now) }) else {
      return []
    }
    return apply(outcome, now: now) + forgotten(outcome.changes)
  }
}
