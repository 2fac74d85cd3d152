import RumorWire

/// Flap quarantine (`Policies.flapQuarantine`, beyond memberlist): a
/// member that failed again soon after a failure is kept out for a while,
/// and afterwards let back in only once it has answered this node's pings
/// for a while, so that a member which still loses most of its packets,
/// or whose link comes and goes, stays out.
extension SWIMNode {
  /// Whether `alive`, news that would bring a dead or forgotten member
  /// back, is held back: ignored during the member's quarantine, or
  /// parked until the member has answered probation pings for long
  /// enough once it is over.
  mutating func holdsBack(_ alive: AliveNews, now: Int64) -> Bool {
    switch quarantine.history.admission(of: alive.node, now: now) {
    case .admit:
      return false
    case .refuse:
      counters.quarantinedAliveIgnored += 1
      return true
    case .probation:
      if let held = quarantine.heldNews[alive.node] {
        // A probation is under way; keep the newest news for its end.
        if alive.incarnation > held.incarnation {
          quarantine.heldNews[alive.node] = alive.owned
        }
        return true
      }
      guard quarantine.history.startProbation(of: alive.node, now: now, interval: probeInterval)
      else {
        counters.quarantinedAliveIgnored += 1
        return true
      }
      // An owned copy: the news may point into a packet buffer.
      quarantine.heldNews[alive.node] = alive.owned
      sendProbationPing(to: alive.node, now: now)
      return true
    }
  }

  /// Whether a reconnect (Serf's periodic join to a failed member) may try
  /// `member` at `now`: not during its quarantine, which the reconnect's
  /// push-pull would otherwise cut short. A first failure, such as either
  /// side of a partition, never quarantines.
  public func mayReconnect(to member: String, now: Timestamp) -> Bool {
    quarantine.history.admission(of: member, now: now.nanoseconds) != .refuse
  }

  /// Pings `member`, whose news is held, for its probation.
  mutating func sendProbationPing(to member: String, now: Int64) {
    guard let alive = quarantine.heldNews[member],
      let target = NodeAddress(ip: alive.addr, port: alive.port)
    else {
      quarantine.heldNews[member] = nil
      counters.quarantinedAliveIgnored += 1
      return
    }
    let sequence = nextSequence()
    quarantine.probationPings[sequence] = member
    counters.probationPings += 1
    send(Message.ping(pingTo(member, sequence: sequence)).encoded(), to: target)
    timers.schedule(at: now.addingSaturating(probeTimeout), .probationTimeout(sequence))
  }

  /// Whether `ack` answers a probation ping. If so, the member it was for
  /// is pinged again until it has kept answering long enough (one probe
  /// interval after a first failure, the quarantine's base time after a
  /// quarantine), and then its held-back news is taken in.
  mutating func passesProbation(_ ack: Ack, now: Int64) -> Bool {
    guard let member = quarantine.probationPings.removeValue(forKey: ack.seqNo) else {
      return false
    }
    guard quarantine.history.probationAnswered(by: member, now: now) else {
      timers.schedule(
        at: now.addingSaturating(quarantine.history.probationSpacing(of: member)),
        .probationPing(member))
      return true
    }
    guard let alive = quarantine.heldNews.removeValue(forKey: member) else { return true }
    counters.probationsPassed += 1
    applyAlive(alive, now: now)
    return true
  }

  /// The probation ping `sequence` got no answer in time.
  mutating func probationTimedOut(sequence: UInt32, now: Int64) {
    guard let member = quarantine.probationPings.removeValue(forKey: sequence) else { return }
    switch quarantine.history.probationMissed(by: member, now: now) {
    case .dropNews:
      quarantine.heldNews[member] = nil
    case .retry:
      timers.schedule(at: now.addingSaturating(probeInterval), .probationPing(member))
    case .failed:
      quarantine.heldNews[member] = nil
      counters.quarantines += 1
    }
  }

  /// The next ping of `member`'s probation is due, unless the member came
  /// back or failed meanwhile.
  mutating func continueProbation(of member: String, now: Int64) {
    guard table.record(named: member).map({ $0.state == .dead }) ?? true,
      quarantine.history.admission(of: member, now: now) == .probation
    else {
      quarantine.heldNews[member] = nil
      return
    }
    sendProbationPing(to: member, now: now)
  }
}
