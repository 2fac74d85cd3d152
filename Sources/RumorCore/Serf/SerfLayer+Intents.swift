import RumorWire

extension SerfLayer {
  /// Handles a Serf message that arrived as a memberlist user message
  /// (`Effect.deliver(.message(bytes))`; Serf's `delegate.NotifyMsg`).
  ///
  /// Join and leave intents that change what we know are re-gossiped as
  /// received (they come back in `broadcasts`); user events and queries
  /// only move our event and query clocks; other types are counted and
  /// skipped. Bytes that do not decode are counted and come back as
  /// `error`.
  public mutating func receive(_ bytes: [UInt8], now: Timestamp) -> SerfOutcome {
    let message: SerfMessage
    do {
      message = try SerfMessage(decoding: bytes[...])
    } catch {
      counters.malformed += 1
      return SerfOutcome(error: error)
    }
    return receive(message, bytes: bytes, now: now, lookedUp: nil)
  }

  /// `receive(_:now:)` for a message decoded already from `bytes`;
  /// `lookedUp` is the lookup of the member an intent names, made ahead
  /// (`MemberTable.lookUp`), if any.
  mutating func receive(
    _ message: SerfMessage, bytes: [UInt8], now: Timestamp, lookedUp: MemberTable.Lookup?
  ) -> SerfOutcome {
    var outcome = SerfOutcome()
    var regossip = false
    var holder: NodeAddress?
    switch message {
    case .join(let intent):
      regossip = handleJoinIntent(intent, now: now, into: &outcome, lookedUp: lookedUp)
    case .leave(let intent):
      regossip = handleLeaveIntent(intent, now: now, into: &outcome, lookedUp: lookedUp)
    case .userEvent(let event):
      regossip = handleUserEvent(event, into: &outcome)
    case .query(let query):
      regossip = handleQuery(query, now: now, into: &outcome)
      holder = NodeAddress(ip: query.addr, port: query.port)
    case .relay(let relay):
      forward(relay, into: &outcome)
    case .queryResponse(let response):
      handleQueryResponse(response, into: &outcome)
    case .pushPull, .other:
      // Push-pull state only comes in streams, and `NotifyMsg` warns about
      // it as about any type it does not know.
      counters.ignored += 1
    }
    if regossip {
      if let holder { outcome.broadcastHolders[outcome.broadcasts.count] = holder }
      outcome.broadcasts.append(bytes)
    }
    return outcome
  }

  /// Applies a join intent, received or made up from push-pull state
  /// (Serf's `handleNodeJoinIntent`). Returns whether Serf would re-gossip
  /// it: when it was news.
  mutating func handleJoinIntent(
    _ intent: SerfJoin, now: Timestamp, into outcome: inout SerfOutcome,
    lookedUp: MemberTable.Lookup? = nil
  )
    -> Bool
  {
    // Witness first, even if the intent turns out stale: the clock must
    // pass every time in circulation. A time too far ahead to be real
    // drops the intent: applied, it would pin the member's status time
    // where no later intent could pass it.
    guard memberClock.witness(intent.lamportTime) else {
      counters.implausibleTimes += 1
      return false
    }
    guard var record = table.serfRecord(named: intent.node, lookedUp: lookedUp) else {
      return buffer(.join, about: intent.node, at: intent.lamportTime, now: now)
    }
    guard intent.lamportTime > record.statusTime else {
      counters.intentsStale += 1
      return false
    }
    let previous = record.status
    let current = Self.applyJoin(at: intent.lamportTime, to: &record)
    table[serf: intent.node] = record
    counters.intentsApplied += 1
    if previous != current {
      outcome.changes.append(
        SerfStatusChange(member: intent.node, previous: previous, current: current))
    }
    return true
  }

  /// Applies a leave intent, received or made up from push-pull state
  /// (Serf's `handleNodeLeaveIntent`). Returns whether Serf would re-gossip
  /// it.
  mutating func handleLeaveIntent(
    _ intent: SerfLeave, now: Timestamp, into outcome: inout SerfOutcome,
    lookedUp: MemberTable.Lookup? = nil
  ) -> Bool {
    guard memberClock.witness(intent.lamportTime) else {
      counters.implausibleTimes += 1
      return false
    }
    guard var record = table.serfRecord(named: intent.node, lookedUp: lookedUp) else {
      return buffer(.leave, about: intent.node, at: intent.lamportTime, now: now)
    }
    guard intent.lamportTime > record.statusTime else {
      counters.intentsStale += 1
      return false
    }
    if intent.node == name && !isLeaving {
      // Someone says we are leaving and we are not (an old intent of ours
      // from before a restart, or a force-leave): answer with a fresh join
      // intent, later than the leave since the clock witnessed it, and do
      // not spread the leave.
      counters.refutations += 1
      outcome.broadcasts.append(makeJoinIntent())
      return false
    }
    let previous = record.status
    let current = Self.applyLeave(at: intent.lamportTime, to: &record)
    table[serf: intent.node] = record
    counters.intentsApplied += 1
    if previous != current {
      outcome.changes.append(
        SerfStatusChange(member: intent.node, previous: previous, current: current))
    }
    if intent.prune { prune(intent.node, now: now, into: &outcome) }
    // Serf spreads a later leave intent even when the status stays (a
    // member already leaving or left), so the news keeps travelling.
    return true
  }

  /// A join intent later than the member's status time: it takes the
  /// intent's time, and a leaving member is alive again. A failed or left
  /// member stays so until memberlist sees it again.
  static func applyJoin(at lamportTime: UInt64, to record: inout SerfMemberRecord)
    -> SerfMemberStatus
  {
    record.statusTime = lamportTime
    if record.status == .leaving { record.status = .alive }
    return record.status
  }

  /// A leave intent later than the member's status time: alive becomes
  /// leaving and failed becomes left, both taking the intent's time. A
  /// member already leaving or left keeps its status and its time, as in
  /// Serf.
  static func applyLeave(at lamportTime: UInt64, to record: inout SerfMemberRecord)
    -> SerfMemberStatus
  {
    switch record.status {
    case .alive:
      record.status = .leaving
      record.statusTime = lamportTime
    case .failed:
      // The failure time stays the start of the tombstone timeout.
      record.status = .left
      record.statusTime = lamportTime
    case .leaving, .left:
      break
    }
    return record.status
  }

  /// Keeps an intent about a member memberlist has not reported yet; Serf
  /// re-gossips it when it is kept.
  private mutating func buffer(
    _ kind: SerfIntentBuffer.Kind, about member: String, at lamportTime: UInt64, now: Timestamp
  ) -> Bool {
    switch intents.upsert(kind, about: member, at: lamportTime, now: now) {
    case .stale:
      counters.intentsStale += 1
      return false
    case .stored(let evicted):
      counters.intentsBuffered += 1
      if evicted { counters.intentsEvicted += 1 }
      wakeReaper(now: now)
      return true
    }
  }

  /// Forgets a member named by a pruning leave intent (Serf's
  /// `handlePrune`). Serf first sleeps `BroadcastTimeout` +
  /// `LeavePropagateDelay` if the member is still leaving, so that its own
  /// leave gets out; here that wait is a deadline that `tick` honours.
  private mutating func prune(_ member: String, now: Timestamp, into outcome: inout SerfOutcome) {
    if table[serf: member]?.status == .leaving {
      if pendingPrunes[member] == nil { pendingPrunes[member] = now + settings.pruneDelay }
    } else if let change = forget(member) {
      outcome.changes.append(change)
    }
  }
}
