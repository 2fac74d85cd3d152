import RumorWire

/// What news about a member does to what this node knows: memberlist's
/// `aliveNode`, `suspectNode`, `deadNode` and `refute`, with `Precedence`
/// deciding which news wins.
extension SWIMNode {
  /// The furthest news about a member may put its incarnation ahead of
  /// what this node knows (of a member it does not know: ahead of 0):
  /// 2^24. Beyond memberlist, which takes any higher incarnation, so that
  /// one forged alive at 0xFFFFFFFF (a tag hijack) cannot pin a member's
  /// record where the member can no longer out-bid it: its refutation
  /// would need incarnation 2^32. A member's incarnation grows by one per
  /// refutation or metadata change, so sixteen million of them between two
  /// things this node hears of it is not a real cluster. Such news is
  /// dropped and counted in `NodeCounters.implausibleIncarnations`.
  public static let maximumIncarnationJump: UInt32 = 1 << 24

  /// Whether `incarnation` is at most `maximumIncarnationJump` ahead of
  /// `known`; counts it when not.
  mutating func isPlausible(_ incarnation: UInt32, knowing known: UInt32) -> Bool {
    guard incarnation > known, incarnation - known > Self.maximumIncarnationJump else {
      return true
    }
    counters.implausibleIncarnations += 1
    return false
  }

  /// Sets this node's own record alive at `incarnation` with `meta` and
  /// gossips it (start-up and metadata changes).
  mutating func setLocalAlive(incarnation: UInt32, meta: [UInt8], now: Int64) {
    guard let position = table.position(of: name) else { return }
    table.setMeta(meta, at: position)
    table.update(at: position) { record in
      record.incarnation = incarnation
      if record.state != .alive {
        record.state = .alive
        record.stateChange = now
      }
    }
    broadcastLocalAlive()
  }

  private mutating func broadcastLocalAlive() {
    broadcasts.enqueue(Message.alive(localAlive).encoded(), subject: name)
  }

  /// This node's own alive message, as it stands.
  var localAlive: Alive { table.alive(of: localRecord) }

  /// Sends `message` straight to every member alive in this node's view
  /// but itself and `spared` (news that must not wait for gossip's rounds:
  /// a leave, a join, a proven death).
  mutating func sendToEveryAliveMember(_ message: [UInt8], sparing spared: NodeAddress? = nil) {
    for other in table.records
    where other.state == .alive && other.name != name && other.address != spared {
      sendRaw(message, to: other.address, protocolMax: table.versions(of: other).protocolMax)
    }
  }

  /// Someone accused this node: take an incarnation above the accusation,
  /// gossip that we are alive, and count it against our own health.
  /// Our incarnation never wraps: at 0xFFFFFFFF it stays there (news that
  /// far ahead is refused in the first place, `maximumIncarnationJump`).
  mutating func refute(accusedIncarnation: UInt32, now: Int64) {
    let highest = max(localRecord.incarnation, accusedIncarnation)
    let incarnation = highest == .max ? highest : highest + 1
    counters.refutations += 1
    adjustHealth(1, now: now)
    noteAccused(now: now)
    guard let position = table.position(of: name) else { return }
    table.update(at: position) { $0.incarnation = incarnation }
    broadcastLocalAlive()
  }

  /// An alive message (gossip, push-pull, or a join). `gossipIfNew`
  /// false takes in a member we did not know without re-gossiping it.
  /// `lookedUp`: the member's lookup made ahead (`MemberTable.lookUp`),
  /// if any.
  mutating func applyAlive(
    _ alive: AliveNews, now: Int64, gossipIfNew: Bool = true, lookedUp: MemberTable.Lookup? = nil
  ) {
    if alive.node == name {
      applyAliveAboutMe(alive, now: now)
      return
    }
    guard let address = NodeAddress(ip: alive.addr, port: alive.port) else {
      // Not a 4- or 16-byte IP: nobody could reach the member there.
      counters.decodeErrors += 1
      return
    }
    let versions = ProtocolVersions(alive.vsn)
    if let versions,
      versions.protocolMin == 0 || versions.protocolMax == 0
        || versions.protocolMin > versions.protocolMax
    {
      return
    }
    let known = table.position(of: alive.node, lookedUp: lookedUp)
    guard isPlausible(alive.incarnation, knowing: known.map { table[$0].incarnation } ?? 0)
    else { return }
    if quarantine.history.isEnabled, known.map({ table[$0].state == .dead }) ?? true,
      holdsBack(alive, now: now)
    {
      return
    }
    guard let position = known else {
      guard alive.incarnation > 0 else { return }
      guard table.count < settings.maxMembers else {
        counters.membersRefused += 1
        return
      }
      let inserted = table.insert(
        MemberTable.Record(
          name: alive.node, address: address, incarnation: alive.incarnation, state: .alive,
          stateChange: now),
        meta: Array(alive.meta), versions: versions ?? .rumor, using: &random)
      if gossipIfNew {
        broadcasts.enqueue(Message.alive(alive.message).encoded(), subject: alive.node)
      }
      emit(.joined(table.member(at: inserted)))
      return
    }
    let record = table[position]
    var takesNewAddress = false
    if record.address != address {
      // A new address for a known name: allowed for a member that left, or
      // one dead for longer than the reclaim time; otherwise a conflict.
      let reclaimable =
        record.state == .left
        || (record.state == .dead && reclaimTime > 0
          && now.subtractingSaturating(record.stateChange) > reclaimTime)
      guard reclaimable else {
        noteConflict(NameConflict(member: alive.node, known: record.address, claimed: address))
        return
      }
      takesNewAddress = true
    }
    guard
      takesNewAddress
        || Precedence.supersedes(
          .alive(alive.incarnation), state: record.state, incarnation: record.incarnation)
    else {
      if alive.incarnation == record.incarnation { remindOfDeath(record, now: now) }
      return
    }
    suspicions[alive.node] = nil
    broadcasts.enqueue(Message.alive(alive.message).encoded(), subject: alive.node)
    let oldState = record.state
    let metaChanged = !table.meta(of: record).elementsEqual(alive.meta)
    if metaChanged { table.setMeta(Array(alive.meta), at: position) }
    table.update(at: position) { updated in
      updated.incarnation = alive.incarnation
      updated.address = address
      if updated.state != .alive {
        updated.state = .alive
        updated.stateChange = now
      }
    }
    if let versions { table.setVersions(versions, at: position) }
    let member = table.member(at: position)
    switch oldState {
    case .dead, .left: emit(.joined(member))
    case .suspect: emit(metaChanged ? .updated(member) : .recovered(member))
    case .alive: if metaChanged { emit(.updated(member)) }
    }
  }

  private mutating func applyAliveAboutMe(_ alive: AliveNews, now: Int64) {
    // After leaving, old alive messages must not bring us back.
    guard !hasLeft else { return }
    // Our name from another address is a name conflict, not news about
    // us to refute (memberlist checks the address first).
    if let claimed = NodeAddress(ip: alive.addr, port: alive.port), claimed != address {
      noteConflict(NameConflict(member: name, known: address, claimed: claimed))
      return
    }
    let record = localRecord
    guard alive.incarnation >= record.incarnation else { return }
    // Refuting news that far ahead would take us to the end of the range.
    guard isPlausible(alive.incarnation, knowing: record.incarnation) else { return }
    if alive.incarnation == record.incarnation && alive.meta.elementsEqual(table.meta(of: record))
      && alive.vsn.elementsEqual(table.versions(of: record).bytes)
    {
      return
    }
    // Someone gossips an older or different version of us (a restart with
    // new tags, for example): override it.
    refute(accusedIncarnation: alive.incarnation, now: now)
  }

  /// A suspect message, or our own failed probe; `provenGoneBy` is a
  /// deadline to declare it dead by, when this node has proof (a refused
  /// connection) that the member's process is gone. `lookedUp`: as for
  /// `applyAlive`.
  mutating func applySuspect(
    _ suspect: Suspect, now: Int64, provenGoneBy: Int64? = nil,
    lookedUp: MemberTable.Lookup? = nil
  ) {
    guard let position = table.position(of: suspect.node, lookedUp: lookedUp) else { return }
    let record = table[position]
    guard suspect.incarnation >= record.incarnation else { return }
    guard isPlausible(suspect.incarnation, knowing: record.incarnation) else { return }
    if var suspicion = suspicions[suspect.node] {
      // Another member suspects it too: an independent confirmation
      // shortens the timeout (Lifeguard) and is worth passing on.
      let confirmed = settings.lifeguard && suspicion.confirm(from: suspect.from)
      if confirmed && lateConfirmation(of: suspicion, now: now) { suspicion.hold() }
      if let provenGoneBy { suspicion.expedite(to: provenGoneBy) }
      // Stored even when nothing counts towards the timeout: it may now be
      // corroborated (`Policies.guardedAccusations`).
      suspicions[suspect.node] = suspicion
      if confirmed || provenGoneBy != nil {
        timers.schedule(at: suspicion.deadline, .suspicionTimeout(suspect.node, suspicion.start))
      }
      if confirmed {
        broadcasts.enqueue(Message.suspect(suspect).encoded(), subject: suspect.node)
      }
      return
    }
    guard
      Precedence.supersedes(
        .suspect(suspect.incarnation), state: record.state, incarnation: record.incarnation)
    else { return }
    if suspect.node == name {
      answerAccusation(accusedIncarnation: suspect.incarnation, now: now)
      return
    }
    broadcasts.enqueue(Message.suspect(suspect).encoded(), subject: suspect.node)
    table.update(at: position) { updated in
      updated.incarnation = suspect.incarnation
      updated.state = .suspect
      updated.stateChange = now
    }
    let members = table.count
    // memberlist aims to reach the minimum timeout two probe intervals
    // short of the suspicion multiplier; with too few members to confirm,
    // expect none.
    var expected = settings.lifeguard ? settings.suspicionMultiplier - 2 : 0
    if members - 2 < expected { expected = 0 }
    let minimum = Suspicion.minimumTimeout(
      multiplier: settings.suspicionMultiplier, members: members, probeInterval: probeInterval)
    let maximum =
      settings.lifeguard ? minimum * Int64(settings.suspicionMaxTimeoutMultiplier) : minimum
    var suspicion = Suspicion(
      from: suspect.from, expected: max(0, expected), minimum: minimum, maximum: maximum, now: now)
    if let provenGoneBy { suspicion.expedite(to: provenGoneBy) }
    suspicions[suspect.node] = suspicion
    timers.schedule(at: suspicion.deadline, .suspicionTimeout(suspect.node, suspicion.start))
    emit(.suspected(table.member(at: position)))
    if suspect.from != name { noteAccusationToCheck(suspect.node) }
  }

  /// A suspicion timer fired: if the member is still in that suspicion
  /// and the (possibly shortened) timeout is reached, declare it dead.
  mutating func suspicionTimedOut(member: String, start: Int64, now: Int64) {
    guard let suspicion = suspicions[member], suspicion.start == start else { return }
    // An earlier timer of a suspicion whose deadline moved: wait for the new one.
    guard suspicion.deadline <= now else { return }
    guard let record = table.record(named: member), record.state == .suspect,
      record.stateChange == start
    else {
      suspicions[member] = nil
      return
    }
    let verdict = accusationVerdict(of: member, suspicion, now: now)
    if verdict == .hold {
      holdForReprobe(member)
      return
    }
    let dead = Dead(incarnation: record.incarnation, node: member, from: name)
    applyDead(dead, now: now, gossiped: verdict == .declare)
    if suspicion.proven { announceProvenDeath(dead) }
  }

  /// Beyond memberlist: a death this node has proof of (a refused
  /// connection, `Policies.fastCrashDetection`) is sent
  /// straight to every alive member of a cluster of at most
  /// `joinReplyGossipLimit` members, as a leave is, rather than left to
  /// gossip's rounds alone: the last member to hear sets how long the
  /// cluster takes to agree the process is gone.
  private mutating func announceProvenDeath(_ dead: Dead) {
    guard table.aliveCount <= Self.joinReplyGossipLimit else { return }
    sendToEveryAliveMember(Message.dead(dead).encoded())
  }

  /// A dead message (a failure, or a leave when it comes from the member
  /// itself). `gossiped` false keeps a verdict of this node's own out of the
  /// gossip queue (`AccusationVerdict.declareLocally`). `lookedUp`: as
  /// for `applyAlive`.
  mutating func applyDead(
    _ dead: Dead, now: Int64, gossiped: Bool = true, lookedUp: MemberTable.Lookup? = nil
  ) {
    guard let position = table.position(of: dead.node, lookedUp: lookedUp) else { return }
    let record = table[position]
    guard dead.incarnation >= record.incarnation else { return }
    guard isPlausible(dead.incarnation, knowing: record.incarnation) else { return }
    suspicions[dead.node] = nil
    guard
      Precedence.supersedes(
        .dead(dead.incarnation, left: dead.isLeave), state: record.state,
        incarnation: record.incarnation)
    else { return }
    if dead.node == name && !hasLeft {
      answerAccusation(accusedIncarnation: dead.incarnation, now: now)
      return
    }
    if gossiped {
      broadcasts.enqueue(Message.dead(dead).encoded(), subject: dead.node)
    } else {
      counters.deathsKeptLocal += 1
    }
    table.update(at: position) { updated in
      updated.incarnation = dead.incarnation
      updated.state = dead.isLeave ? .left : .dead
      updated.stateChange = now
    }
    if !dead.isLeave && dead.node != name
      && quarantine.history.recordFailure(of: dead.node, now: now) > 0
    {
      counters.quarantines += 1
    }
    let member = table.member(at: position)
    if !dead.isLeave { counters.deaths += 1 }
    emit(dead.isLeave ? .left(member) : .failed(member))
  }
}
