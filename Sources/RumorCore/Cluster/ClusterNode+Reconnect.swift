import RumorWire

extension ClusterNode {
  /// Serf's reconnect: every `SerfSettings.reconnectInterval`, with
  /// probability failed / alive, a memberlist join to one failed member
  /// picked at random. Failed members are kept (with their last address)
  /// until reaped, long after SWIM has forgotten them, so that two halves
  /// of a partition find each other again however long it lasted.
  ///
  /// With `SerfSettings.eagerReconnectInterval` set (the default), a
  /// member that has just failed is tried more often (`eagerReconnect`).
  mutating func reconnect(now: Timestamp) -> [Effect] {
    guard let serf else {
      nextReconnect = nil
      return []
    }
    if reconnectPolicy.eagerInterval != nil { return eagerReconnect(now: now) }
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

  /// The eager reconnect: the tick comes as often as the youngest failure
  /// wants (`ReconnectPolicy.interval(age:)`, jittered), picks one failed
  /// member at random and tries it with probability failed / alive ×
  /// tick / that member's own interval. Summed over the alive members,
  /// each failed member is tried about once per its own interval by the
  /// whole cluster, whatever the cluster's size (in a cluster too small
  /// for that, each member tries at most once per tick). Once every
  /// failure is older than the backoff, this is Serf's reconnect, but for
  /// the jitter. Never a member in flap quarantine, a left or reaped one,
  /// or more than `SerfSettings.reconnectsInFlightLimit` at once.
  private mutating func eagerReconnect(now: Timestamp) -> [Effect] {
    let clock = now.nanoseconds
    reconnectsInFlight = reconnectsInFlight.filter { $0.value > clock }
    guard let latest = reconnectCandidates.latestFailure, !reconnectCandidates.isEmpty else {
      nextReconnect = nil
      return []
    }
    let base = reconnectPolicy.interval(age: clock.subtractingSaturating(latest))
    var tick = base
    // A tick brought forward because a failed member came back; after a
    // return that says its side is back, ticks every `returnWait` for a
    // while.
    let returned = returnedFailure
    let quick = returned != nil && clock < returnedUntil
    let firstSinceReturn = firstTickSinceReturn
    firstTickSinceReturn = false
    if !quick { returnedFailure = nil }
    if returned != nil, let eager = reconnectPolicy.eagerInterval {
      tick = quick ? min(eager, returnWait) : eager
    }
    nextReconnect = clock.addingSaturating(
      ReconnectPolicy.jittered(quick ? tick : base, using: &random))
    guard pendingLeave == nil, !hasFinishedLeaving,
      reconnectsInFlight.count < reconnectPolicy.inFlightLimit,
      let (name, failedAt) = reconnectCandidates.randomMember(using: &random)
    else { return [] }
    // A leave intent can turn a failed member into a left one inside
    // Serf's layer, without a membership event: drop it here.
    guard serfStatus(of: name) == .failed, let target = lostMembers[name] else {
      reconnectCandidates.remove(name)
      return []
    }
    let alive = max(1, swim.aliveMemberCount)
    // Members that failed together with one that came back (within one
    // backoff step of it) are tried as if they had just failed: after a
    // partition, the first member back means the rest of its side is
    // reachable too, and one join to any of them brings them all.
    let together =
      returned.map {
        failedAt.subtractingSaturating($0).magnitude <= reconnectPolicy.backoff.magnitude
      }
      ?? false
    let own = together ? tick : reconnectPolicy.interval(age: clock.subtractingSaturating(failedAt))
    // The share of the tries assumes every alive member holds the same
    // members failed. Right after a member came back that is seldom so in
    // a small cluster: the others took the rest of its side back with it,
    // and a member still holding them failed is one the gossip missed
    // (`memberReturned`), the only one left to try. A cluster that small
    // also gets every joiner's announcement member by member; a bigger one
    // keeps the share.
    let alone =
      together && firstSinceReturn && swim.aliveMemberCount <= SWIMNode.joinReplyGossipLimit
    let chance =
      alone
      ? 1
      : Double(reconnectCandidates.count) / Double(alive) * Double(tick) / Double(max(1, own))
    guard random.unit() < chance, reconnectsInFlight[target.address] == nil,
      swim.mayReconnect(to: name, now: now)
    else { return [] }
    // A join reports back (`joinFinished`) within the TCP timeout; the
    // margin only matters if a report were ever lost.
    let giveUp = swim.settings.tcpTimeout.nanosecondsClamped.addingSaturating(1_000_000_000)
    reconnectsInFlight[target.address] = clock.addingSaturating(giveUp)
    serfLayer?.counters.reconnectAttempts += 1
    return join(
      [target.address], replayingEvents: true, connectTimeout: reconnectPolicy.connectTimeout,
      now: now)
  }

  /// A member was declared failed or recorded as left: if Serf now holds
  /// it as failed it becomes a reconnect candidate, tried soon under the
  /// eager reconnect; otherwise (left) it is not one.
  mutating func memberLost(_ name: String, now: Timestamp) {
    guard serfStatus(of: name) == .failed else {
      reconnectCandidates.remove(name)
      return
    }
    let clock = now.nanoseconds
    reconnectCandidates.insert(name, failedAt: clock)
    guard let eager = reconnectPolicy.eagerInterval else { return }
    let soon = clock.addingSaturating(ReconnectPolicy.jittered(eager, using: &random))
    nextReconnect = min(nextReconnect ?? soon, soon)
  }

  /// A member is alive again: it is no reconnect candidate any more. If it
  /// was one and others remain, the next reconnect tick comes soon, for
  /// the members that failed with it; if it says that its side is back
  /// (it came back `unrefuted`, or refuted as the second of one failure:
  /// `bringsSideBack`), ticks come every `returnWait` for one eager
  /// interval, and in a small cluster the first tries one of them.
  ///
  /// After a partition heals, the first member back is often the one that
  /// joined across and announced itself to every member directly; the
  /// rest of its side reach a member only through gossip, which sends
  /// each news a few times to random members (half of them on the side
  /// that knew it already) and can miss one. That member, holding the
  /// rest as failed, is what keeps the cluster from one view: it tries
  /// them within `returnWait`, where a tick an eager interval away kept it
  /// apart for seconds (docs/benchmarks.md, "Why one agent took the other
  /// side back late").
  mutating func memberReturned(_ name: String, unrefuted: Bool, now: Timestamp) {
    guard let failedAt = reconnectCandidates.failedAt(name) else { return }
    reconnectCandidates.remove(name)
    let clock = now.nanoseconds
    let previous = lastReturn
    lastReturn = (name, failedAt, clock)
    guard let eager = reconnectPolicy.eagerInterval, !reconnectCandidates.isEmpty else { return }
    let sideBack =
      unrefuted
      || previous.map { bringsSideBack(after: $0, name: name, failedAt: failedAt, now: clock) }
        ?? false
    // A quick window open stays as it is, whatever a refuted return
    // says: after a heal, the members of the other side that some member
    // still held dead come back refuted (that member's death reminders
    // made them refute) in among the others, and one of them arriving
    // last took the quick ticks away from the rest of that side.
    if unrefuted || clock >= returnedUntil {
      returnedFailure = failedAt
      returnedUntil = sideBack ? clock.addingSaturating(eager) : 0
      firstTickSinceReturn = sideBack
    }
    let soon = clock.addingSaturating(
      ReconnectPolicy.jittered(sideBack ? min(eager, returnWait) : eager, using: &random))
    nextReconnect = min(nextReconnect ?? soon, soon)
  }

  /// Whether `name`, failed at `failedAt` and back at `now` after
  /// refuting its death, says that the side it was cut off with is back
  /// (one back unrefuted, at the incarnation it failed at, never heard it
  /// was dead: it does say so). A refuted return alone says nothing: a
  /// flapping, lossy or paused member refutes over and over. But after a
  /// heal most of the other side comes back refuted, since a member that
  /// still held them dead reminded them (death reminders), and a member
  /// the gossip missed may see only such returns. With no quick ticks it
  /// waited for eager ticks, each trying with the cluster's share of a
  /// chance, as if every alive member held them failed, where only it
  /// did. So a refuted return says it when `previous`, another member,
  /// failed within one backoff step of it and came back within one eager
  /// interval before it: two members of one failure back together is
  /// what a heal looks like, and one flapping member cannot do that.
  ///
  /// Only in a cluster small enough for the first quick tick to try for
  /// sure (`eagerReconnect`'s `alone`), counted by its alive and suspect
  /// members: right after a heal many members of a big cluster are
  /// suspect for a moment, until the other side's stale suspicions about
  /// them are refuted. In a bigger cluster every member sees such returns
  /// at a heal, and quick ticks at all of them at once add joins while
  /// those refutations are still going round, which made heals slower
  /// there (docs/simulation.md, "Only refuted returns after a heal"); it
  /// keeps the share.
  private func bringsSideBack(
    after previous: (name: String, failedAt: Int64, time: Int64), name: String, failedAt: Int64,
    now: Int64
  ) -> Bool {
    guard previous.name != name, let eager = reconnectPolicy.eagerInterval,
      swim.activeMemberCount <= SWIMNode.joinReplyGossipLimit
    else { return false }
    return now.subtractingSaturating(previous.time) <= eager
      && failedAt.subtractingSaturating(previous.failedAt).magnitude
        <= reconnectPolicy.backoff.magnitude
  }

  /// How long after a failed member came back the next reconnect tick
  /// comes: the time gossip takes to bring the news of the rest of its
  /// side, one probe interval per order of magnitude of the cluster
  /// (`log10`, as memberlist scales its retransmissions and suspicion
  /// timeouts), never more than the eager interval.
  var returnWait: Int64 {
    let probe = max(1, swim.settings.probeInterval.nanosecondsClamped)
    var scale: Int64 = 1
    var size = swim.aliveMemberCount
    while size >= 10 {
      size /= 10
      scale += 1
    }
    let wait = probe.multipliedReportingOverflow(by: scale)
    let bound = reconnectPolicy.eagerInterval ?? reconnectPolicy.interval
    return wait.overflow ? bound : min(bound, wait.partialValue)
  }

  /// A join finished: if it was a reconnect, its slot is free again.
  mutating func reconnectFinished(_ address: NodeAddress, error: String?) {
    guard reconnectsInFlight.removeValue(forKey: address) != nil else { return }
    if error == nil { serfLayer?.counters.reconnectsAnswered += 1 }
  }
}
