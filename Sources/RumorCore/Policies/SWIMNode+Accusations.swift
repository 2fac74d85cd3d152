import RumorWire

/// Guarded accusations (`Policies.guardedAccusations`, beyond
/// memberlist): a suspicion nobody else confirmed is turned into `dead`
/// only after a re-probe of the suspect shows that this node's links work
/// and the suspect is unreachable from elsewhere too.
extension SWIMNode {
  /// What the guard makes of the suspicion of `member`, whose timeout
  /// has run out. Without the setting (or Lifeguard), with a proof that
  /// the member is gone (a refused connection), or once another member
  /// confirmed it before it first ran out: `declare`, as memberlist does.
  /// Otherwise `hold` (re-probe) when some other member is alive in this
  /// node's view to relay a probe, when the suspect has sent this node a
  /// packet since it was suspected, or when this node was itself accused
  /// within the suspicion's longest timeout: still hearing from the
  /// member it suspects, or accused while it suspects everyone, this node
  /// is the likelier one cut off (a lossy member that hears only part of
  /// what is sent to it), and its timer no evidence at all.
  ///
  /// With nobody to ask, nobody accusing it and no word from the suspect,
  /// the timer is all the evidence there is: this node is the last one
  /// standing, or cut off so completely that it cannot tell. `declareLocally`:
  /// the member is dead in this node's own view, but the verdict is not
  /// gossiped. The last one standing has nobody to tell; one cut off
  /// would otherwise bring a false death back with it when its links
  /// return (the first packets out carry it, before anyone can refute).
  func accusationVerdict(of member: String, _ suspicion: Suspicion, now: Int64)
    -> AccusationVerdict
  {
    guard settings.policies.guardedAccusations, settings.lifeguard, !suspicion.proven,
      suspicion.held || !suspicion.corroborated
    else { return .declare }
    if table.aliveCount > 1 || heardFrom(member, since: suspicion.start) { return .hold }
    if let accused = accusationGuard.accusedAt,
      now.subtractingSaturating(accused) <= suspicion.maximum
    {
      return .hold
    }
    return .declareLocally
  }

  /// Notes that a packet came from `sender` while this node suspects
  /// someone (the hook in `receivePacket`), for `accusationVerdict`: a
  /// suspect that still sends to this node is running and reaches it.
  mutating func notePacket(from sender: NodeAddress, now: Int64) {
    guard settings.policies.guardedAccusations, !suspicions.isEmpty else { return }
    if accusationGuard.isFull(adding: sender) {
      // Entries older than every current suspicion are of no use.
      let oldest = suspicions.values.lazy.map(\.start).min() ?? now
      accusationGuard.forgetHeard(before: oldest)
    }
    accusationGuard.noteHeard(from: sender, now: now)
  }

  /// Whether `member`, suspected since `start`, has sent this node a
  /// packet since.
  func heardFrom(_ member: String, since start: Int64) -> Bool {
    guard let record = table.record(named: member),
      let heard = accusationGuard.heardFrom[record.address]
    else { return false }
    return heard >= start
  }

  /// Notes that this node refuted an accusation about itself (the hook in
  /// `refute`), for `accusationVerdict`.
  mutating func noteAccused(now: Int64) {
    guard settings.policies.guardedAccusations else { return }
    accusationGuard.accusedAt = now
  }

  /// Whether a confirmation just counted for `suspicion` leaves its
  /// member less than two probe intervals to hear of it and refute. Such a
  /// late confirmation is often this node's own accusation coming back
  /// (a push-pull turns a suspect it carries into the receiver's own
  /// suspicion, which the receiver gossips), so with the guard on the
  /// suspicion is settled by a re-probe instead of the timer; unless this
  /// node's own probe of the member already failed with a helper's nack
  /// or a refused connection during the suspicion (`Suspicion.backedHere`),
  /// which is what the re-probe would look for. Without that exception
  /// each side of a split held nearly every member of the other side for
  /// a re-probe, and the re-probes, taking every other probe, left
  /// members unprobed for tens of seconds (docs/simulation.md, "The
  /// other side of a split").
  func lateConfirmation(of suspicion: Suspicion, now: Int64) -> Bool {
    settings.policies.guardedAccusations && settings.lifeguard && !suspicion.backedHere
      && suspicion.deadline <= now.addingSaturating(2 * probeInterval)
  }

  /// A round-robin probe of `member` failed, and a helper's nack or a
  /// refused connection (`backed`) showed this node's links working: with
  /// the guard on, the suspicion of the member notes it
  /// (`Suspicion.backedHere`), and a suspicion already held for a
  /// re-probe, whose timeout has run out, is settled as that re-probe
  /// would settle it: the member is declared dead. Returns true when it
  /// was.
  mutating func noteFailedProbe(of member: String, backed: Bool, now: Int64) -> Bool {
    guard settings.policies.guardedAccusations, backed, var suspicion = suspicions[member] else {
      return false
    }
    suspicion.noteBackedProbe()
    suspicions[member] = suspicion
    guard suspicion.held, suspicion.deadline <= now, let record = table.record(named: member),
      record.state == .suspect
    else { return false }
    counters.accusationsConfirmedByReprobe += 1
    applyDead(Dead(incarnation: record.incarnation, node: record.name, from: name), now: now)
    return true
  }

  /// Holds the suspicion of `member` and queues it for a re-probe at the
  /// next probe that is not one.
  mutating func holdForReprobe(_ member: String) {
    counters.accusationsHeld += 1
    suspicions[member]?.hold()
    if !accusationGuard.reprobes.contains(member) { accusationGuard.reprobes.append(member) }
  }

  /// A suspicion of `member` that another member raised has just reached
  /// this node: with the guard on, this node draws whether to check it
  /// with its own probe, next (in place of a round-robin probe), so that
  /// about as many members check it as Lifeguard's formula expects
  /// confirmations (the suspicion multiplier less two), whatever the
  /// cluster's size. A failed check is an independent confirmation (this
  /// node's own suspect message), drawn within a probe interval or two,
  /// where a confirmation otherwise waits for some member's round robin to
  /// reach the suspect (about one a probe interval in the whole cluster);
  /// a check that gets an ack is evidence for the suspect, and its ping
  /// carries the suspicion so the suspect can refute (Lifeguard's buddy
  /// system). What it changed: docs/simulation.md, "Checking a
  /// suspicion, and corrections about oneself".
  mutating func noteAccusationToCheck(_ member: String) {
    guard settings.policies.guardedAccusations, settings.lifeguard, member != name,
      accusationGuard.checks.count < AccusationGuard.checksLimit,
      !accusationGuard.checks.contains(member)
    else { return }
    let wanted = max(1, settings.suspicionMultiplier - 2)
    // The members that may check it: every alive one but this node.
    let others = table.aliveCount - 1
    if others > wanted {
      guard random.below(others) < wanted else { return }
    }
    accusationGuard.checks.append(member)
  }

  /// The table position of the oldest suspect drawn for a check that is
  /// still suspect and that this node has not accused itself; others are
  /// dropped.
  mutating func nextCheckTarget() -> Int? {
    let me = name
    return Self.takeSuspect(from: &accusationGuard.checks, table: table, suspicions: suspicions) {
      !$0.confirmers.contains(me)
    }
  }

  /// The table position of the oldest queued suspect that still waits for
  /// a re-probe; entries whose suspicion ended meanwhile are dropped.
  mutating func nextReprobeTarget() -> Int? {
    Self.takeSuspect(from: &accusationGuard.reprobes, table: table, suspicions: suspicions) { _ in
      true
    }
  }

  /// Takes members off the front of `queue` until one is still suspect,
  /// with a suspicion that `wanted` accepts, and returns its position.
  private static func takeSuspect(
    from queue: inout [String], table: MemberTable, suspicions: [String: Suspicion],
    where wanted: (Suspicion) -> Bool
  ) -> Int? {
    while !queue.isEmpty {
      let member = queue.removeFirst()
      guard let position = table.position(of: member), table[position].state == .suspect,
        let suspicion = suspicions[member], wanted(suspicion)
      else { continue }
      return position
    }
    return nil
  }

  /// The re-probe of a held suspect failed: declare it dead if a helper's
  /// nack (this node reached the helper, the helper could not reach the
  /// suspect) or a refused connection backs the suspicion, or if no helper
  /// could be asked and this node's own health was perfect; otherwise keep
  /// the suspicion and look again later.
  mutating func settleAccusation(after current: ActiveProbe, healthyBefore: Bool, now: Int64) {
    guard let record = table.record(named: current.target), record.state == .suspect,
      let suspicion = suspicions[current.target]
    else { return }
    // A newer suspicion whose own timeout has not run out yet keeps its timer.
    guard suspicion.deadline <= now else { return }
    let refused = current.fallbackRefused && settings.policies.fastCrashDetection
    let backed = current.nacks > 0 || refused || (current.expectedNacks == 0 && healthyBefore)
    guard backed else {
      keepAccusation(of: current.target, now: now)
      return
    }
    counters.accusationsConfirmedByReprobe += 1
    applyDead(Dead(incarnation: record.incarnation, node: record.name, from: name), now: now)
  }

  /// With the guard on: an accusation about `member` at an incarnation
  /// below the one this node knows it alive at comes from a node that
  /// missed the member's refutation, and would turn its stale suspicion
  /// into a death on its own timer, since the member, already past that
  /// incarnation, has nothing to refute. That node gets the member's
  /// current alive message (a standard message, so any peer takes it in)
  /// at once, once the packet is read (one answer carries every member
  /// the packet was stale about), with queued news beside it: a gossip
  /// packet to a member that evidently needs news, which takes the place
  /// of one of the next gossip rounds' random targets, so that
  /// corrections add no packets. At most one correction per accuser per
  /// probe interval, since a lossy member keeps gossiping stale
  /// accusations; why not fewer: docs/simulation.md, "Guarded
  /// accusations".
  ///
  /// Never about this node itself: it has refuted already, and the
  /// members that saw the refutation correct the stale accusers. A member
  /// that hears only part of what is sent to it (a gray failure) would
  /// otherwise answer every accuser it hears from, and so undo the deaths
  /// its accusers rightly declare (docs/simulation.md, "Corrections about
  /// oneself").
  mutating func correctIfStale(
    about member: String, incarnation: UInt32, sender: NodeAddress, now: Int64
  ) {
    guard settings.policies.guardedAccusations, member != name,
      let record = table.record(named: member),
      record.state == .alive, incarnation < record.incarnation, sender != address
    else { return }
    if let index = accusationGuard.pendingCorrections.firstIndex(where: { $0.accuser == sender }) {
      let pending = accusationGuard.pendingCorrections[index]
      if !pending.members.contains(member)
        && pending.members.count < Self.maximumMembersPerCorrection
      {
        accusationGuard.pendingCorrections[index].members.append(member)
      }
      return
    }
    guard accusationGuard.corrections.admits(sender, now: now, interval: probeInterval) else {
      return
    }
    accusationGuard.pendingCorrections.append(
      PendingCorrection(accuser: sender, members: [member]))
  }

  /// With the guard on: an `alive` about a member this node holds dead
  /// at the same incarnation means that others took it back without a
  /// refutation (after a partition longer than the gossip-to-the-dead
  /// time they had forgotten it and learned it anew, while this node
  /// still held it dead), and this node's `dead` outranks that alive for
  /// good. Only the member can settle it, by refuting: tell it it is
  /// suspected here, at most once per probe interval.
  mutating func remindOfDeath(_ record: MemberTable.Record, now: Int64) {
    guard settings.policies.guardedAccusations, record.state == .dead, record.name != name
    else { return }
    guard accusationGuard.reminders.admits(record.name, now: now, interval: probeInterval) else {
      return
    }
    counters.deathReminders += 1
    let suspect = Suspect(incarnation: record.incarnation, node: record.name, from: name)
    send(Message.suspect(suspect).encoded(), to: record.address)
  }

  /// The most members one correction carries.
  static let maximumMembersPerCorrection = 8

  /// Sends the corrections the packet just read called for, each as a
  /// gossip packet (`correctIfStale`), and counts each against the next
  /// gossip rounds' random targets.
  mutating func sendCorrections() {
    let corrections = accusationGuard.pendingCorrections
    accusationGuard.pendingCorrections = []
    for correction in corrections where gossipCorrection(correction) {
      if accusationGuard.gossipCredit < maximumGossipCredit {
        accusationGuard.gossipCredit += 1
      } else {
        counters.staleCorrectionsAddingPackets += 1
      }
    }
  }

  /// How many random gossip targets corrections may stand in for at most:
  /// all but one target of each round for one probe interval. Past it,
  /// a correction is a packet more.
  var maximumGossipCredit: Int {
    max(0, settings.gossipNodes - 1) * Int(max(1, probeInterval / max(1, gossipInterval)))
  }

  /// How many random targets this gossip round leaves out, the places
  /// taken by corrections sent since the last rounds (all but one). A
  /// quiet round, which sends nothing, spends its places too: kept for
  /// the next round with news, they thin out exactly the rounds that
  /// carry fresh news, which then spreads slower and leaves more stale
  /// accusers to correct (docs/simulation.md, "The guard's corrections
  /// in gossip's place").
  mutating func gossipTargetsTakenByCorrections() -> Int {
    let taken = min(accusationGuard.gossipCredit, max(0, settings.gossipNodes - 1))
    accusationGuard.gossipCredit -= taken
    return taken
  }

  /// The current alive message of each member of `correction` that this
  /// node still has alive (one suspected or dead meanwhile is newer news
  /// than the correction).
  func correctionMessages(_ correction: PendingCorrection) -> [[UInt8]] {
    correction.members.compactMap { member in
      guard let record = table.record(named: member), record.state == .alive else { return nil }
      return Message.alive(table.alive(of: record)).encoded()
    }
  }

  /// Sends `correction` as a gossip packet: as much queued news as fits
  /// beside its alive messages, and those of them the news does not
  /// already carry (a refutation still being gossiped is usually queued
  /// here, and then goes once); the alive messages that do not fit one
  /// packet are left out. Returns false when none of its members is alive
  /// any more, and nothing was sent.
  mutating func gossipCorrection(_ correction: PendingCorrection) -> Bool {
    let space = packer(checksum: false).gossipSpace
    var messages: [[UInt8]] = []
    var used = 0
    // As many as fit one packet (members with long metadata may not all
    // fit); the first always goes.
    for message in correctionMessages(correction) {
      let cost = message.count + Compound.perPartOverhead
      guard messages.isEmpty || used + cost <= space else { break }
      messages.append(message)
      used += cost
    }
    guard !messages.isEmpty else { return false }
    counters.staleAccusationsCorrected += 1
    let news = takeBroadcasts(
      space: space - used,
      maximumCount: Compound.maximumParts - messages.count, destination: correction.accuser)
    let unsent = messages.filter { message in !news.contains { $0.elementsEqual(message) } }
    let parts = unsent.map { $0[...] } + news
    if parts.count == 1 {
      sendRaw(Array(parts[0]), to: correction.accuser, protocolMax: nil)
    } else if let compound = try? Compound.encode(parts) {
      sendRaw(compound, to: correction.accuser, protocolMax: nil)
    }
    return true
  }

  /// Keeps a held suspicion of `member` and checks it again one minimum
  /// suspicion timeout from now (it ends sooner if the member refutes or
  /// another member confirms it).
  mutating func keepAccusation(of member: String, now: Int64) {
    guard let suspicion = suspicions[member] else { return }
    timers.schedule(
      at: now.addingSaturating(suspicion.minimum), .suspicionTimeout(member, suspicion.start))
  }
}
