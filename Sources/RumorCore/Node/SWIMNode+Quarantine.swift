import RumorWire

/// Flap quarantine (`SWIMSettings.flapQuarantine`, beyond memberlist): a
/// member that failed again soon after a failure is kept out for a while,
/// and afterwards let back in only once it answers a ping from this node,
/// so that a member which still loses most of its packets stays out.
extension SWIMNode {
  /// Whether `alive`, news that would bring a dead or forgotten member
  /// back, is held back: ignored during the member's quarantine, or
  /// parked until the member answers a probation ping once it is over.
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
      guard let target = NodeAddress(ip: alive.addr, port: alive.port),
        flaps.startProbation(of: alive.node, now: now, interval: probeInterval)
      else {
        counters.quarantinedAliveIgnored += 1
        return true
      }
      let sequence = nextSequence()
      // Owned copies: the news may point into a packet buffer.
      probations[sequence] = AliveNews(alive.message)
      counters.probationPings += 1
      send(
        Message.ping(pingTo(alive.node, sequence: sequence)).encoded(), to: target, protocolMax: nil
      )
      timers.schedule(at: now.addingSaturating(probeTimeout), .probationTimeout(sequence))
      return true
    }
  }

  /// Whether `ack` answers a probation ping; if so, the member it was for
  /// has shown it can be reached and its held-back news is taken in.
  mutating func passesProbation(_ ack: Ack, now: Int64) -> Bool {
    guard let alive = probations.removeValue(forKey: ack.seqNo) else { return false }
    counters.probationsPassed += 1
    flaps.proveReachable(alive.node)
    applyAlive(alive, now: now)
    return true
  }
}
