import RumorWire

extension SerfLayer {
  /// Serf's push-pull state (Serf's `delegate.LocalState`): the three
  /// clocks, every member's status time, the left members, and the
  /// user-event ring. `ClusterNode` encodes it when a push-pull needs it.
  public func localState() -> [UInt8] {
    localState(in: table)
  }

  /// `localState()` with the records in `table`: `ClusterNode` keeps them
  /// in its SWIM node's table and hands that in when a push-pull needs it.
  func localState(in table: MemberTable) -> [UInt8] {
    var statusTimes: [SerfStatusTime] = []
    statusTimes.reserveCapacity(table.serfCapacityHint)
    var left: [String] = []
    table.forEachSerfRecord { member, record in
      statusTimes.append(SerfStatusTime(name: member, time: record.statusTime))
      if record.status == .left { left.append(member) }
    }
    // Names are unique (one record per name), so this is the order the
    // encoder writes without building a dictionary of its own.
    statusTimes.sort { $0.name < $1.name }
    let state = SerfPushPull(
      lamportTime: memberClock.time, statusTimes: statusTimes, leftMembers: left.sorted(),
      eventLamportTime: eventClock.time,
      events: events.slots,
      queryLamportTime: queryClock.time)
    return SerfMessage.pushPull(state).encoded()
  }

  /// Merges a peer's push-pull state (`Effect.deliver(.remoteState)`;
  /// Serf's `delegate.MergeRemoteState`). Its left members count as leave
  /// intents and its other status times as join intents; none of them is
  /// re-gossiped, but a leave about ourselves is still refuted. The user
  /// events of its ring that this node has not seen are delivered; `join`
  /// with `ignoresOldEventsOnJoin` set skips every event up to the peer's
  /// event clock instead (a join that does not replay old events).
  public mutating func mergeRemoteState(_ bytes: [UInt8], join: Bool, now: Timestamp)
    -> SerfOutcome
  {
    let state: SerfPushPull
    switch decodeState(bytes) {
    case .success(let decoded): state = decoded
    case .failure(let error):
      counters.malformed += 1
      return SerfOutcome(error: error)
    }
    // The clocks first, each at the time before the peer's: it has sent
    // nothing stamped with its current time yet.
    // A clock implausibly far ahead is not followed (`LamportClock`); the
    // intents and events are each checked on their own below.
    if !memberClock.witnessRemoteClock(state.lamportTime) { counters.implausibleTimes += 1 }
    if !eventClock.witnessRemoteClock(state.eventLamportTime) { counters.implausibleTimes += 1 }
    if !queryClock.witnessRemoteClock(state.queryLamportTime) { counters.implausibleTimes += 1 }

    var outcome = SerfOutcome()
    // Left members before the others, so that their join times do not
    // overtake the leave. The leave's own time was not kept; it came after
    // the member's status time, so one past that gets it applied.
    // Go walks the map in random order; name order keeps runs repeatable
    // (and is the order Rumor sends, so nothing is sorted here then).
    let times = state.statusTimesInNameOrder
    var left = Set<String>()
    for member in state.leftMembers {
      left.insert(member)
      // Wraps at the top like Go's uint64, which makes the intent stale.
      let time = (Self.time(of: member, in: times) ?? 0) &+ 1
      _ = handleLeaveIntent(
        SerfLeave(lamportTime: time, node: member, prune: false), now: now, into: &outcome)
    }
    for entry in times where left.isEmpty || !left.contains(entry.name) {
      _ = handleJoinIntent(
        SerfJoin(lamportTime: entry.time, node: entry.name), now: now, into: &outcome)
    }
    // A join that should not replay old events ignores everything up to
    // the peer's event clock (Serf's `eventJoinIgnore`).
    // Only a plausible clock: one pushed to the top would silence every
    // event from now on.
    if join && ignoresOldEventsOnJoin && eventClock.isPlausible(state.eventLamportTime) {
      eventMinimumTime = max(eventMinimumTime, state.eventLamportTime)
    }
    // Serf replays the ring's events through `handleUserEvent`: the ones
    // this node missed are delivered (not re-gossiped).
    for case let batch? in state.events {
      for event in batch.events {
        _ = handleUserEvent(
          SerfUserEvent(
            lamportTime: batch.lamportTime, name: event.name, payload: event.payload,
            coalesce: false), into: &outcome)
      }
    }
    return outcome
  }

  /// The time of `member` in status times in name order (binary search).
  private static func time(of member: String, in times: [SerfStatusTime]) -> UInt64? {
    let index = times.lowerBound(of: member, by: \.name)
    return index < times.count && times[index].name == member ? times[index].time : nil
  }

  private func decodeState(_ bytes: [UInt8]) -> Result<SerfPushPull, WireError> {
    guard let type = bytes.first else {
      return .failure(WireError(.truncated, "remote Serf state is empty", at: 0))
    }
    guard type == SerfMessageType.pushPull.rawValue else {
      return .failure(
        WireError(
          .unsupported,
          "remote Serf state starts with type \(type), not push-pull (\(SerfMessageType.pushPull.rawValue))",
          at: 0))
    }
    do {
      guard case .pushPull(let state) = try SerfMessage(decoding: bytes[...]) else {
        return .failure(WireError(.malformed, "remote Serf state is not push-pull", at: 0))
      }
      return .success(state)
    } catch {
      return .failure(error)
    }
  }
}
