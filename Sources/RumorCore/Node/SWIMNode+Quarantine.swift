import RumorWire

/// Flap quarantine (`SWIMSettings.flapQuarantine`, beyond memberlist): a
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
    switch flaps.admission(of: alive.node, now: now) {
    case .admit:
      return false
    case .refuse:
      counters.quarantinedAliveIgnored += 1
      return true
    case .probation:
      if let pending = probations.first(where: { $0.value.node == alive.node }) {
        // A ping is already out; keep the newest news for when it answers.
        if alive.incarnation > pending.value.incarnation {
          probations[pending.key] = AliveNews(alive.message)
        }
        return true
      }
      if let waiting = soaking[alive.node] {
        // Between two pings of a probation: the same.
        if alive.incarnation > waiting.incarnation {
          soaking[alive.node] = AliveNews(alive.message)
        }
        return true
      }
      guard flaps.startProbation(of: alive.node, now: now, interval: probeInterval) else {
        counters.quarantinedAliveIgnored += 1
        return true
      }
      // An owned copy: the news may point into a packet buffer.
      sendProbationPing(holding: AliveNews(alive.message), now: now)
      return true
    }
  }

  /// Pings the member `alive` is about, and keeps `alive` until it answers.
  mutating func sendProbationPing(holding alive: AliveNews, now: Int64) {
    guard let target = NodeAddress(ip: alive.addr, port: alive.port) else {
      counters.quarantinedAliveIgnored += 1
      return
    }
    let sequence = nextSequence()
    probations[sequence] = alive
    counters.probationPings += 1
    send(
      Message.ping(pingTo(alive.node, sequence: sequence)).encoded(), to: target, protocolMax: nil)
    timers.schedule(at: now.addingSaturating(probeTimeout), .probationTimeout(sequence))
  }

  /// Whether `ack` answers a probation ping. If so, the member it was for
  /// is pinged again until it has kept answering long enough (one probe
  /// interval after a first failure, the quarantine's base time after a
  /// quarantine), and then its held-back news is taken in.
  mutating func passesProbation(_ ack: Ack, now: Int64) -> Bool {
    guard let alive = probations.removeValue(forKey: ack.seqNo) else { return false }
    guard flaps.probationAnswered(by: alive.node, now: now, probeInterval: probeInterval) else {
      soaking[alive.node] = alive
      timers.schedule(
        at: now.addingSaturating(
          flaps.probationSpacing(of: alive.node, probeInterval: probeInterval)),
        .probationPing(alive.node))
      return true
    }
    counters.probationsPassed += 1
    applyAlive(alive, now: now)
    return true
  }

  /// The probation ping `sequence` got no answer in time.
  mutating func probationTimedOut(sequence: UInt32, now: Int64) {
    guard let alive = probations.removeValue(forKey: sequence) else { return }
    switch flaps.probationMissed(by: alive.node, now: now) {
    case .dropNews:
      break
    case .retry:
      soaking[alive.node] = alive
      timers.schedule(at: now.addingSaturating(probeInterval), .probationPing(alive.node))
    case .failed:
      counters.quarantines += 1
    }
  }

  /// The next ping of `member`'s probation is due, unless the member came
  /// back or failed meanwhile.
  mutating func continueProbation(of member: String, now: Int64) {
    guard let alive = soaking.removeValue(forKey: member),
      table.record(named: member).map({ $0.state == .dead }) ?? true,
      flaps.admission(of: member, now: now) == .probation
    else { return }
    sendProbationPing(holding: alive, now: now)
  }
}
