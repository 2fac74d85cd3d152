import RumorWire

extension SerfLayer {
  /// Serf's push-pull state, to set as `SWIMNode.localUserState` (Serf's
  /// `delegate.LocalState`): the three clocks, every member's status time,
  /// the left members, and the user-event ring, all slots empty since
  /// Rumor keeps no events. Set it again after every change, so that each
  /// exchange carries the current state.
  public func localState() -> [UInt8] {
    var statusTimes: [String: UInt64] = [:]
    statusTimes.reserveCapacity(records.count)
    var left: [String] = []
    for (member, record) in records {
      statusTimes[member] = record.statusTime
      if record.status == .left { left.append(member) }
    }
    let state = SerfPushPull(
      lamportTime: memberClock.time, statusLamportTimes: statusTimes, leftMembers: left.sorted(),
      eventLamportTime: eventClock.time,
      events: [SerfEventBatch?](repeating: nil, count: settings.eventBufferSize),
      queryLamportTime: queryClock.time)
    return SerfMessage.pushPull(state).encoded()
  }

  /// Merges a peer's push-pull state (`Effect.deliver(.remoteState)`;
  /// Serf's `delegate.MergeRemoteState`). Its left members count as leave
  /// intents and its other status times as join intents; none of them is
  /// re-gossiped, but a leave about ourselves is still refuted. `join` is
  /// accepted for symmetry with the delegate: Serf uses it only to skip old
  /// user events, which Rumor does not keep.
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
    var left = Set<String>()
    for member in state.leftMembers {
      left.insert(member)
      // Wraps at the top like Go's uint64, which makes the intent stale.
      let time = (state.statusLamportTimes[member] ?? 0) &+ 1
      _ = handleLeaveIntent(
        SerfLeave(lamportTime: time, node: member, prune: false), now: now, into: &outcome)
    }
    // Go walks the map in random order; name order keeps runs repeatable.
    for (member, time) in state.statusLamportTimes.sorted(by: { $0.key < $1.key })
    where !left.contains(member) {
      _ = handleJoinIntent(SerfJoin(lamportTime: time, node: member), now: now, into: &outcome)
    }
    // Serf replays the ring's events through `handleUserEvent`, which
    // witnesses each one's time.
    for case let batch? in state.events where !batch.events.isEmpty {
      if !eventClock.witness(batch.lamportTime) { counters.implausibleTimes += 1 }
    }
    return outcome
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
