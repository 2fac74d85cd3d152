import RumorWire

/// Failure detection: the probe loop (SWIM §3-4, memberlist's `probeNode`)
/// and relaying indirect probes for others.
extension SWIMNode {
  /// Starts probing the next member in the round-robin order, a suspect
  /// waiting for a re-probe (every other probe at most), or a suspect
  /// this node checks for others (every other probe of the rest at most).
  mutating func startProbe(now: Int64) {
    if !accusationGuard.lastProbeWasReprobe, let position = nextReprobeTarget() {
      accusationGuard.lastProbeWasReprobe = true
      startProbe(of: position, reprobe: true, now: now)
      return
    }
    accusationGuard.lastProbeWasReprobe = false
    if !accusationGuard.lastProbeWasCheck, let position = nextCheckTarget() {
      accusationGuard.lastProbeWasCheck = true
      counters.suspicionChecks += 1
      startProbe(of: position, reprobe: false, now: now)
      return
    }
    accusationGuard.lastProbeWasCheck = false
    // memberlist's `probe`: each entry passed over (this node, a dead or
    // left member) and the wrap to a new round count one check, and the
    // tick is given up once the checks reach the number of entries. So
    // when a single other member is active (a small cluster split in
    // two, or all but one gone), some ticks probe no one, as in
    // memberlist; in any larger cluster every tick probes.
    var checks = 0
    while checks < table.count {
      guard let position = table.advanceProbePosition() else {
        reapAndShuffle(now: now)
        checks += 1
        continue
      }
      let record = table[position]
      if record.name != name && record.state.isActive {
        startProbe(of: position, reprobe: false, now: now)
        return
      }
      checks += 1
    }
  }

  /// Pings the member at `position` and sets the probe's timers.
  private mutating func startProbe(of position: Int, reprobe: Bool, now: Int64) {
    let target = table[position]
    let sequence = nextSequence()
    // A re-probe (guarded accusations) is settled by the helpers' nacks.
    // A helper nacks one probe timeout after the indirect request, which
    // goes out one probe timeout after the ping: at memberlist's LAN
    // values that is the probe interval plus two trips, just past an
    // unscaled deadline, where memberlist itself does not count them.
    // So a re-probe waits one probe timeout longer.
    let wait = awareness.scale(probeInterval).addingSaturating(reprobe ? probeTimeout : 0)
    let deadline = now.addingSaturating(wait)
    probe = ActiveProbe(
      sequence: sequence, target: target.name, targetAddress: target.address, start: now,
      deadline: deadline, reprobe: reprobe)
    counters.probes += 1
    let ping = Message.ping(pingTo(target.name, sequence: sequence)).encoded()
    if target.state == .suspect && settings.lifeguard {
      // Lifeguard's buddy system: tell a suspect it is suspected in the
      // same packet, so it can refute at once (no piggyback: room for both).
      let suspect = Message.suspect(
        Suspect(incarnation: target.incarnation, node: target.name, from: name)
      ).encoded()
      if let compound = try? Compound.encode([ping, suspect]) {
        sendRaw(compound, to: target.address, protocolMax: table.versions(at: position).protocolMax)
      }
    } else {
      send(ping, to: target.address)
    }
    timers.schedule(
      at: now.addingSaturating(min(probeTimeout, deadline - now)), .directTimeout(sequence))
    timers.schedule(at: deadline, .probeDeadline(sequence))
  }

  /// A ping addressed to `target`, with this node's address for the ack.
  func pingTo(_ target: String, sequence: UInt32) -> Ping {
    Ping(
      seqNo: sequence, node: target, sourceAddr: address.ipBytes, sourcePort: address.port,
      sourceNode: name)
  }

  /// No direct ack in time: ask `indirectChecks` alive members to probe
  /// the target, and try it over TCP.
  mutating func directProbeTimedOut(sequence: UInt32, now: Int64) {
    guard var current = probe, current.sequence == sequence, !current.acked,
      !current.indirectSent
    else { return }
    current.indirectSent = true
    counters.indirectProbes += 1
    let me = name
    let target = current.target
    let helpers = table.randomPositions(settings.indirectChecks, using: &random) {
      $0.name != me && $0.name != target && $0.state == .alive
    }
    let targetRecord = table.record(named: target)
    for position in helpers {
      let helper = table[position]
      let wantsNack = settings.lifeguard && table.versions(at: position).protocolMax >= 4
      if wantsNack { current.expectedNacks += 1 }
      let request = IndirectPing(
        seqNo: sequence, target: current.targetAddress.ipBytes, port: current.targetAddress.port,
        node: target, nack: wantsNack, sourceAddr: address.ipBytes, sourcePort: address.port,
        sourceNode: name)
      send(
        Message.indirectPing(request).encoded(), to: helper.address)
    }
    if !settings.disableTCPPings, (targetRecord.map(table.versions(of:))?.protocolMax ?? 0) >= 3,
      current.deadline > now
    {
      let ping = Message.ping(pingTo(target, sequence: sequence))
      if let request = try? streamCodec.encode(ping, includeLabel: true) {
        let id = openStream(
          to: current.targetAddress, request: request,
          timeout: .nanoseconds(current.deadline - now), purpose: .fallbackPing(sequence: sequence))
        current.fallbackStream = id
      }
    }
    probe = current
  }

  /// The probe's time is up: success if anything answered, otherwise
  /// suspect the target and adjust local health.
  mutating func finishProbe(sequence: UInt32, now: Int64) {
    guard let current = probe, current.sequence == sequence else { return }
    probe = nil
    judge(current, now: now)
    if probeTickMissed {
      probeTickMissed = false
      startProbe(now: now)
    }
  }

  private mutating func judge(_ current: ActiveProbe, now: Int64) {
    if current.acked || current.fallbackReached {
      adjustHealth(-1, now: now)
      // The suspect answered and, with the suspicion in the same packet,
      // will refute; look again later if the refutation does not come.
      if current.reprobe { keepAccusation(of: current.target, now: now) }
      return
    }
    counters.failedProbes += 1
    let healthyBefore = awareness.score == 0
    let refused = current.fallbackRefused && settings.policies.fastCrashDetection
    // Lifeguard: nacks that did not come mean our own links are at fault,
    // not (only) the target; without nack-capable helpers, any failure
    // counts against us. A refusal is an answer from the target's host,
    // so our links worked.
    if !refused {
      let missing = max(0, current.expectedNacks - current.nacks)
      adjustHealth(current.expectedNacks > 0 ? missing : 1, now: now)
      noteMissingNacks(missing, of: current)
    }
    guard let record = table.record(named: current.target), record.state.isActive else { return }
    // A node standing down holds its own failures for the likelier cause;
    // a refusal is the target host's answer and still counts.
    if isStandingDown && !refused {
      counters.accusationsWithheld += 1
      return
    }
    if current.reprobe {
      settleAccusation(after: current, healthyBefore: healthyBefore, now: now)
      return
    }
    // A nack or a refusal shows this node's links working: what a
    // re-probe looks for (guarded accusations).
    let backed = current.nacks > 0 || refused
    if noteFailedProbe(of: record.name, backed: backed, now: now) { return }
    counters.suspicionsRaised += 1
    applySuspect(
      Suspect(incarnation: record.incarnation, node: record.name, from: name), now: now,
      provenGoneBy: refused ? now : nil)
    // A suspicion this probe started.
    _ = noteFailedProbe(of: record.name, backed: backed, now: now)
  }

  /// The host at `address` answered a datagram from this node with "port
  /// unreachable" (ICMP): nothing listens there, the process is gone. With
  /// `Policies.fastCrashDetection`, if that is the member
  /// being probed and it has not answered, the probe ends now as a
  /// refused one, instead of waiting for the probe timeout and a refused
  /// TCP fallback ping; otherwise the report is ignored (an error about an
  /// older datagram, or about a member not being probed, proves nothing
  /// about now).
  public mutating func portUnreachable(_ address: NodeAddress, now: Timestamp) -> [Effect] {
    guard settings.policies.fastCrashDetection, var current = probe,
      current.targetAddress == address, !current.acked, !current.fallbackReached
    else { return [] }
    counters.unreachablePorts += 1
    current.fallbackRefused = true
    probe = current
    finishProbe(sequence: current.sequence, now: now.nanoseconds)
    return drainEffects()
  }

  /// An ack arrived: for our probe, or for a ping we relay.
  mutating func received(_ ack: Ack, now: Int64) {
    counters.acksReceived += 1
    if passesProbation(ack, now: now) { return }
    if var current = probe, current.sequence == ack.seqNo {
      lastContact = Timestamp(nanoseconds: now)
      // Relayed acks carry no payload, so one with a payload is the
      // target's own answer to the direct ping.
      if !current.acked, !ack.payload.isEmpty {
        effects.append(
          .deliver(
            .pingCompleted(
              member: current.target, roundTrip: .nanoseconds(max(0, now - current.start)),
              payload: ack.payload)))
      }
      current.acked = true
      probe = current
      // A direct or relayed ack ends the probe at once.
      finishProbe(sequence: ack.seqNo, now: now)
      return
    }
    if var relay = relays[ack.seqNo], !relay.acked {
      relay.acked = true
      relays[ack.seqNo] = relay
      send(
        Message.ack(Ack(seqNo: relay.requesterSequence)).encoded(), to: relay.requester)
    }
  }

  /// A nack from a helper: it could not reach the target either.
  mutating func received(_ nack: Nack, now: Int64) {
    counters.nacksReceived += 1
    guard var current = probe, current.sequence == nack.seqNo else {
      _ = creditLateNack(nack, now: now)
      return
    }
    current.nacks += 1
    probe = current
  }

  /// The most indirect probes this node runs for others at once. Each
  /// lasts one probe timeout; in a healthy cluster a node helps with a few
  /// at a time (each failed probe asks `indirectChecks` random members).
  /// Without a cap a flood of requests would grow the relay table and the
  /// timer queue, and make this node ping whatever address they name.
  static let maximumRelays = 1024

  /// Someone asks us to probe a target for them.
  mutating func received(_ request: IndirectPing, from sender: NodeAddress, now: Int64) {
    guard relays.count < Self.maximumRelays else {
      counters.relaysRefused += 1
      return
    }
    let port = request.port == 0 ? address.port : request.port
    guard let target = NodeAddress(ip: request.target, port: port) else { return }
    let replyTo =
      NodeAddress(ip: request.sourceAddr, port: request.sourcePort).flatMap {
        request.sourcePort == 0 ? nil : $0
      } ?? sender
    let sequence = nextSequence()
    relays[sequence] = Relay(
      requesterSequence: request.seqNo, requester: replyTo, wantsNack: request.nack)
    let ping = Ping(
      seqNo: sequence, node: request.node, sourceAddr: address.ipBytes, sourcePort: address.port,
      sourceNode: name)
    send(
      Message.ping(ping).encoded(), to: target)
    timers.schedule(at: now.addingSaturating(probeTimeout), .relayTimeout(sequence))
  }

  /// A relayed ping got no ack in time: nack if the requester wants it.
  mutating func relayTimedOut(sequence: UInt32) {
    guard let relay = relays.removeValue(forKey: sequence) else { return }
    if relay.wantsNack && !relay.acked {
      send(
        Message.nack(Nack(seqNo: relay.requesterSequence)).encoded(), to: relay.requester)
    }
  }

  /// A ping for us: ack it, to its source address if it gave one.
  mutating func received(_ ping: Ping, from sender: NodeAddress) {
    guard ping.node.isEmpty || ping.node == name else { return }
    let replyTo =
      ping.sourcePort == 0
      ? sender : (NodeAddress(ip: ping.sourceAddr, port: ping.sourcePort) ?? sender)
    send(
      Message.ack(Ack(seqNo: ping.seqNo, payload: ackPayload)).encoded(), to: replyTo)
  }

  /// The end of a probe round: forget dead and left members whose
  /// gossip-to-the-dead time is over, and reshuffle the probe order.
  mutating func reapAndShuffle(now: Int64) {
    let horizon = gossipToTheDead
    var reaped: [String] = []
    table.reapAndShuffle(keep: name, using: &random) { record in
      let expired =
        !record.state.isActive && now.subtractingSaturating(record.stateChange) > horizon
      if expired { reaped.append(record.name) }
      return expired
    }
    for member in reaped {
      suspicions[member] = nil
    }
    quarantine.history.prune(now: now)
  }
}
