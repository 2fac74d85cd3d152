import RumorWire
import Testing

@testable import RumorCore

/// What the node under test sent while `drive` ran it.
private struct Traffic {
  var effects: [Effect] = []
  /// Each message sent, with its destination and the time.
  var sent: [(message: Message, to: NodeAddress, time: Double)] = []
}

/// Runs `node` from `start` to `end` on fake time, answering as the
/// network would: every member but `silent` acks the pings sent to it at
/// once, and when `nacks` is true the helpers asked to reach `silent`
/// answer with a nack.
private func drive(
  _ node: inout SWIMNode, from start: Double, to end: Double, silent: String, nacks: Bool
) -> Traffic {
  var traffic = Traffic()
  let stop = at(end)
  var steps = 0
  while let deadline = node.nextDeadline, deadline <= stop, steps < 100_000 {
    steps += 1
    let now = max(deadline, at(start))
    var pending = node.tick(now: now)
    while !pending.isEmpty {
      let effects = pending
      pending = []
      traffic.effects += effects
      for sent in sentMessages(effects) {
        traffic.sent.append((sent.message, sent.to, now.seconds))
        switch sent.message {
        case .ping(let ping) where ping.node != silent:
          pending += node.receive(.ack(Ack(seqNo: ping.seqNo)), from: sent.to, now: now)
        case .indirectPing(let request) where request.node == silent && nacks && request.nack:
          pending += node.receive(.nack(Nack(seqNo: request.seqNo)), from: sent.to, now: now)
        default:
          break
        }
      }
    }
  }
  return traffic
}

/// Guarded accusations on (and TCP fallback pings off, so that only the
/// UDP probe decides).
private func guarded(_ on: Bool = true) -> SWIMSettings {
  var settings = SWIMSettings()
  settings.policies.guardedAccusations = on
  settings.disableTCPPings = true
  return settings
}

/// Starts a node that knows four others and runs it to its first probe;
/// returns the node, that probe's target and the probe's time.
private func nodeWithFirstProbe(_ settings: SWIMSettings) throws -> (
  node: SWIMNode, target: String, time: Double
) {
  var node = try makeNode(knowing: 4, settings: settings)
  let first = try #require(firstProbe(&node))
  return (node, first.ping.node, first.time)
}

@Suite("Guarded accusations (beyond memberlist)")
struct GuardedAccusationTests {
  @Test("off in the core's default (the memberlist preset) in every profile")
  func offByDefault() {
    #expect(!SWIMSettings().policies.guardedAccusations)
    #expect(!SWIMSettings(profile: .wan).policies.guardedAccusations)
    #expect(!SWIMSettings(profile: .local).policies.guardedAccusations)
  }

  @Test("a suspicion counts as corroborated once another member suspects too, even past the count")
  func corroboration() {
    var suspicion = Suspicion(
      from: "a", expected: 0, minimum: 4_000_000_000, maximum: 4_000_000_000, now: 0)
    #expect(!suspicion.corroborated)
    let again = suspicion.confirm(from: "a")
    #expect(!again && !suspicion.corroborated)
    // No confirmations are expected, so none shortens the timeout, but
    // the suspicion is no longer this accuser's alone.
    let other = suspicion.confirm(from: "b")
    #expect(!other && suspicion.corroborated)
    #expect(suspicion.deadline == 4_000_000_000)
  }

  @Test("off: an unconfirmed suspicion expires into dead at Lifeguard's maximum timeout")
  func offExpiresIntoDead() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded(false))
    _ = drive(&node, from: start, to: start + 1.01, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    // Five members: minimum 4 s, maximum 24 s, no confirmation.
    _ = drive(&node, from: start + 1.01, to: start + 25.1, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .dead)
    #expect(node.counters.accusationsHeld == 0)
  }

  @Test(
    "on: an unconfirmed suspicion whose timeout runs out is re-probed with the suspicion attached, not declared dead"
  )
  func heldAndReprobed() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 1.01, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    let traffic = drive(&node, from: start + 1.01, to: start + 60, silent: target, nacks: false)
    // No helper says it cannot reach the suspect either: nothing backs
    // the accusation, so the suspect stays suspect.
    #expect(node.member(named: target)?.state == .suspect)
    #expect(node.counters.accusationsHeld >= 1)
    #expect(node.counters.accusationsConfirmedByReprobe == 0)
    #expect(!events(traffic.effects).contains { if case .failed = $0 { true } else { false } })
    // After the timeout (start + 1 s + 24 s) the suspect was pinged with
    // its suspicion in the same packet (the buddy system), so that a live
    // suspect hears it and refutes.
    let told = traffic.sent.filter { sent in
      guard sent.time > start + 25, sent.to == node.member(named: target)?.address else {
        return false
      }
      if case .suspect(let suspect) = sent.message { return suspect.node == target }
      return false
    }
    #expect(!told.isEmpty)
  }

  @Test("on: a re-probe that fails while helpers nack declares the suspect dead")
  func nackBacksTheAccusation() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 24.9, silent: target, nacks: true)
    #expect(node.member(named: target)?.state == .suspect)
    let traffic = drive(&node, from: start + 24.9, to: start + 29, silent: target, nacks: true)
    #expect(node.member(named: target)?.state == .dead)
    #expect(node.counters.accusationsHeld == 1)
    #expect(node.counters.accusationsConfirmedByReprobe == 1)
    #expect(
      events(traffic.effects).contains {
        if case .failed(let member) = $0 { member.name == target } else { false }
      })
  }

  @Test("on: a confirmation from another member in good time lets the timer expire as usual")
  func confirmedExpiresAsUsual() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 1.01, silent: target, nacks: false)
    let other = target == "n2" ? "n3" : "n2"
    let incarnation = try #require(node.member(named: target)?.incarnation)
    _ = node.receive(
      .suspect(Suspect(incarnation: incarnation, node: target, from: other)), from: address(2),
      now: at(start + 2))
    // One confirmation of two: 24 − 20 · ln 2 / ln 3 = 11.381 s after the
    // suspicion began (at start + 1 s).
    _ = drive(&node, from: start + 2, to: start + 12.3, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    _ = drive(&node, from: start + 12.3, to: start + 12.5, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .dead)
    #expect(node.counters.accusationsHeld == 0)
  }

  @Test(
    "on: a confirmation that comes too late for the suspect to refute (an echo of our own) does not release it"
  )
  func lateConfirmationIsHeld() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 20, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    let other = target == "n2" ? "n3" : "n2"
    let incarnation = try #require(node.member(named: target)?.incarnation)
    // Its deadline with one confirmation (start + 12.4 s) has passed.
    _ = node.receive(
      .suspect(Suspect(incarnation: incarnation, node: target, from: other)), from: address(2),
      now: at(start + 20))
    _ = drive(&node, from: start + 20, to: start + 40, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    #expect(node.counters.accusationsHeld >= 1)
  }

  @Test(
    "on: a late confirmation is trusted when this node's own probe of the suspect failed while a helper nacked"
  )
  func lateConfirmationBackedHere() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    // The first probe fails and the helpers nack: this node's links work
    // and the suspect is out of their reach too.
    _ = drive(&node, from: start, to: start + 1.01, silent: target, nacks: true)
    _ = drive(&node, from: start + 1.01, to: start + 20, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    let other = target == "n2" ? "n3" : "n2"
    let incarnation = try #require(node.member(named: target)?.incarnation)
    // Late, as in `lateConfirmationIsHeld`: its deadline has passed.
    _ = node.receive(
      .suspect(Suspect(incarnation: incarnation, node: target, from: other)), from: address(2),
      now: at(start + 20))
    _ = drive(&node, from: start + 20, to: start + 20.2, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .dead)
    #expect(node.counters.accusationsHeld == 0)
  }

  @Test(
    "on: a held suspect that a round-robin probe finds unreachable while a helper nacks is declared dead, as by its re-probe"
  )
  func heldSettledByRoundRobinProbe() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 27, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    #expect(node.counters.accusationsHeld >= 1)
    // Without a nack or a refusal the probe shows nothing new.
    let unbacked = node.noteFailedProbe(of: target, backed: false, now: at(start + 27).nanoseconds)
    #expect(!unbacked)
    #expect(node.member(named: target)?.state == .suspect)
    let confirmed = node.counters.accusationsConfirmedByReprobe
    let settled = node.noteFailedProbe(of: target, backed: true, now: at(start + 27).nanoseconds)
    #expect(settled)
    #expect(node.member(named: target)?.state == .dead)
    #expect(node.counters.accusationsConfirmedByReprobe == confirmed + 1)
  }

  @Test("off: a probe's nack changes nothing about a suspicion")
  func backedProbeIgnoredWhenOff() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded(false))
    _ = drive(&node, from: start, to: start + 1.01, silent: target, nacks: true)
    #expect(node.member(named: target)?.state == .suspect)
    let settled = node.noteFailedProbe(of: target, backed: true, now: at(start + 2).nanoseconds)
    #expect(!settled)
    #expect(node.member(named: target)?.state == .suspect)
  }

  @Test("on: a suspect that refutes after the re-probe is alive again")
  func refutationEndsIt() throws {
    var (node, target, start) = try nodeWithFirstProbe(guarded())
    _ = drive(&node, from: start, to: start + 30, silent: target, nacks: false)
    #expect(node.member(named: target)?.state == .suspect)
    let index = try #require(Int(target.dropFirst()))
    let effects = node.receive(
      .alive(alive(index, incarnation: 2)), from: address(index), now: at(start + 30))
    #expect(node.member(named: target)?.state == .alive)
    #expect(events(effects).contains { if case .recovered = $0 { true } else { false } })
    // From now on it answers, and nothing accuses it again.
    _ = drive(&node, from: start + 30, to: start + 60, silent: "", nacks: false)
    #expect(node.member(named: target)?.state == .alive)
  }

  @Test(
    "on: a member taken back alive elsewhere at the incarnation held dead here is told, once per probe interval"
  )
  func deadHereIsRemindedToTheMember() throws {
    for on in [true, false] {
      var node = try makeNode(knowing: 4, settings: guarded(on))
      _ = node.receive(
        .dead(Dead(incarnation: 1, node: "n1", from: "n2")), from: address(2), now: at(1))
      #expect(node.member(named: "n1")?.state == .dead)
      var told: [Message] = []
      for time in [1.1, 1.5, 2.2] {
        let sent = sentMessages(
          node.receive(.alive(alive(1, incarnation: 1)), from: address(3), now: at(time)))
        told += sent.filter { $0.to == address(1) }.map(\.message)
      }
      // The same incarnation does not outrank the dead here, as in memberlist.
      #expect(node.member(named: "n1")?.state == .dead)
      let reminders = told.filter {
        if case .suspect(let suspect) = $0 {
          suspect.node == "n1" && suspect.incarnation == 1
        } else {
          false
        }
      }
      #expect(reminders.count == (on ? 2 : 0), "\(told)")
      #expect(node.counters.deathReminders == (on ? 2 : 0))
      // The member's refutation settles it.
      _ = node.receive(.alive(alive(1, incarnation: 2)), from: address(1), now: at(2.3))
      #expect(node.member(named: "n1")?.state == .alive)
    }
  }

  @Test("on: with no other member alive to ask, the timer alone still declares death")
  func nobodyToAsk() throws {
    var node = try makeNode(knowing: 1, settings: guarded())
    // Two members: the suspicion timeout is 4 s, no confirmations expected.
    _ = drive(&node, from: 0, to: 8, silent: "n1", nacks: false)
    #expect(node.member(named: "n1")?.state == .dead)
  }

  @Test("on: the verdict of a node with nobody to ask stays in its own view, not in the gossip")
  func loneVerdictIsNotGossiped() throws {
    var node = try makeNode(knowing: 1, settings: guarded())
    let traffic = drive(&node, from: 0, to: 12, silent: "n1", nacks: false)
    #expect(node.member(named: "n1")?.state == .dead)
    #expect(node.counters.deathsKeptLocal == 1)
    let told = traffic.sent.filter {
      if case .dead(let dead) = $0.message { dead.node == "n1" } else { false }
    }
    #expect(told.isEmpty, "the lone node's own verdict went out \(told.count) times")
  }

  @Test("on: a node with nobody to ask holds its accusation while the suspect still sends to it")
  func suspectStillSendingHolds() throws {
    for sending in [true, false] {
      var node = try makeNode(knowing: 1, settings: guarded())
      // n1 answers none of this node's pings (its replies are lost), but
      // when `sending` its own probes get through, once a second.
      var time = 0.0
      var sequence: UInt32 = 100
      while time < 20 {
        if sending {
          sequence += 1
          let ping = Ping(seqNo: sequence, node: "n0", sourceNode: "n1")
          _ = node.receivePacket(Message.ping(ping).encoded(), from: address(1), now: at(time))
        }
        _ = drive(&node, from: time, to: time + 1, silent: "n1", nacks: false)
        time += 1
      }
      if sending {
        #expect(node.member(named: "n1")?.state == .suspect)
        #expect(node.counters.accusationsHeld >= 1)
      } else {
        #expect(node.member(named: "n1")?.state == .dead)
      }
    }
  }

  @Test(
    "on: a node accused itself that suspects every other member holds its accusations; the last one standing does not"
  )
  func accusedAndAloneHolds() throws {
    for accused in [true, false] {
      var node = try makeNode(knowing: 3, settings: guarded())
      // Nobody answers this node. When `accused`, the others keep
      // suspecting it (a member that loses most of its packets), and it
      // refutes; otherwise the three are simply gone.
      var time = 0.0
      while time < 60 {
        if accused {
          let incarnation = node.member(named: "n0")?.incarnation ?? 0
          _ = node.receive(
            .suspect(Suspect(incarnation: incarnation, node: "n0", from: "n1")), from: address(1),
            now: at(time))
        }
        _ = run(&node, from: time, to: time + 5)
        time += 5
      }
      let dead = (1...3).filter { node.member(named: "n\($0)")?.state == .dead }
      if accused {
        #expect(dead.isEmpty, "an accused node declared \(dead) dead on its timer alone")
        #expect((1...3).allSatisfy { node.member(named: "n\($0)")?.state == .suspect })
      } else {
        // Held while others were alive to ask, then alone: the timer decides.
        #expect(!dead.isEmpty, "the last one standing declared nobody dead")
      }
    }
  }

  @Test("on, with plain SWIM: the settings are refused, since the guard needs Lifeguard's nacks")
  func needsLifeguard() throws {
    var settings = guarded()
    settings.lifeguard = false
    let error = #expect(throws: SettingsError.self) { try settings.validate() }
    #expect(error?.description.contains("guarded accusations need Lifeguard") == true)
    #expect(throws: SettingsError.self) {
      _ = try SWIMNode(name: "n0", address: address(0), settings: settings, seed: 1)
    }
  }

  @Test("on: a refused connection is proof enough, so the guard does not hold that suspicion")
  func refusedConnectionIsNotHeld() throws {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = true
    settings.policies.fastCrashDetection = true
    var node = try makeNode(knowing: 20, settings: settings)
    let fallback = try #require(try RefusedConnectionTests().probeUntilFallback(&node))
    _ = node.streamFailed(
      id: fallback.stream, reason: "connection refused", refused: true,
      now: at(fallback.time + 0.001))
    _ = run(&node, from: fallback.time + 0.001, to: fallback.time + 1.1)
    #expect(node.member(named: fallback.target)?.state == .dead)
    #expect(node.counters.accusationsHeld == 0)
  }

  @Test("on: the same seed gives the same effects")
  func determinism() throws {
    var first = try makeNode(knowing: 8, settings: guarded(), seed: 5)
    var second = try makeNode(knowing: 8, settings: guarded(), seed: 5)
    let one = drive(&first, from: 0, to: 60, silent: "n3", nacks: false)
    let two = drive(&second, from: 0, to: 60, silent: "n3", nacks: false)
    #expect(one.effects == two.effects)
  }
}

@Suite("Guarded accusations: stale accusations are corrected")
struct StaleAccusationTests {
  /// A node that knows n1 alive at incarnation 3, and what it sends when
  /// n2 accuses n1 at incarnation 2 (`dead` for a failure, else
  /// `suspect`): at once, and with `round`, until the next gossip round.
  func answerToStaleAccusation(guarded: Bool, dead: Bool = false, round: Bool = true) throws
    -> [(message: Message, to: NodeAddress)]
  {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = guarded
    var node = try makeNode(knowing: 3, settings: settings)
    _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(1))
    let accusation: Message =
      dead
      ? .dead(Dead(incarnation: 2, node: "n1", from: "n2"))
      : .suspect(Suspect(incarnation: 2, node: "n1", from: "n2"))
    let effects = node.receive(accusation, from: address(2), now: at(2))
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.member(named: "n1")?.incarnation == 3)
    // The correction goes out with the next gossip round.
    let traffic =
      round ? drive(&node, from: 2, to: 2 + gossipRound, silent: "", nacks: false) : Traffic()
    return (sentMessages(effects) + traffic.sent.map { ($0.message, $0.to) }).filter {
      $0.to == address(2)
    }
  }

  @Test(
    "with the guard, a suspicion or death at an older incarnation is answered with the newer alive")
  func staleAccuserGetsTheNewerAlive() throws {
    for dead in [false, true] {
      // The answer may carry queued gossip in the same packet.
      let answers = try answerToStaleAccusation(guarded: true, dead: dead)
      let corrections = answers.compactMap { answer -> Alive? in
        if case .alive(let alive) = answer.message, alive.node == "n1" { return alive }
        return nil
      }
      #expect(!corrections.isEmpty && corrections.allSatisfy { $0.incarnation == 3 }, "\(answers)")
    }
  }

  @Test(
    "a stale accusation about the node itself is not answered: it refuted already, and others correct"
  )
  func staleAccusationAboutItselfIsNotCorrected() throws {
    for dead in [false, true] {
      var node = try makeNode(knowing: 3, settings: guarded())
      // n2 suspects n0 at incarnation 1: n0 refutes at 2.
      _ = node.receive(
        .suspect(Suspect(incarnation: 1, node: "n0", from: "n2")), from: address(2), now: at(1))
      #expect(node.member(named: "n0")?.incarnation == 2)
      let accusation: Message =
        dead
        ? .dead(Dead(incarnation: 1, node: "n0", from: "n3"))
        : .suspect(Suspect(incarnation: 1, node: "n0", from: "n3"))
      let effects = node.receive(accusation, from: address(3), now: at(2))
      #expect(node.counters.staleAccusationsCorrected == 0)
      #expect(
        sentMessages(effects).filter { $0.to == address(3) }.isEmpty, "\(sentMessages(effects))")
      #expect(node.member(named: "n0")?.incarnation == 2)
    }
  }

  @Test("without the guard, a stale accusation is ignored as memberlist ignores it")
  func staleAccusationIgnoredByDefault() throws {
    // (Its next gossip round may well carry n1's alive, as news.)
    let answers = try answerToStaleAccusation(guarded: false, round: false)
    #expect(
      !answers.contains {
        if case .alive(let alive) = $0.message { alive.node == "n1" } else { false }
      })
  }
}

/// One gossip interval of the `lan` profile, in seconds.
private let gossipRound =
  Double(SWIMSettings(profile: .lan).gossipInterval.nanosecondsClamped) / 1e9

/// Whether `message` is n1's alive message at incarnation 3.
private func correctsN1(_ message: Message) -> Bool {
  if case .alive(let alive) = message {
    alive.node == "n1" && alive.incarnation == 3
  } else {
    false
  }
}

@Suite("Guarded accusations: corrections are rate-limited")
struct StaleAccusationRateTests {
  @Test("a correction goes at once and takes the place of a random target of the next rounds")
  func correctionAddsNoPacket() throws {
    var corrected = try makeNode(knowing: 6, settings: guarded())
    var control = try makeNode(knowing: 6, settings: guarded())
    for index in [0, 1] {
      var node = index == 0 ? corrected : control
      _ = drive(&node, from: 0, to: 2, silent: "", nacks: false)
      _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(2))
      if index == 0 { corrected = node } else { control = node }
    }
    let stale = Message.suspect(Suspect(incarnation: 2, node: "n1", from: "n2"))
    let atOnce = corrected.receive(stale, from: address(2), now: at(2))
    #expect(sentMessages(atOnce).contains { $0.to == address(2) && correctsN1($0.message) })
    #expect(corrected.counters.staleAccusationsCorrected == 1)
    #expect(corrected.counters.staleCorrectionsAddingPackets == 0)
    // One probe interval on, the node that corrected has sent no more
    // packets than the one that did not (its next round left one out).
    _ = drive(&corrected, from: 2, to: 3, silent: "", nacks: false)
    _ = drive(&control, from: 2, to: 3, silent: "", nacks: false)
    #expect(corrected.counters.packetsSent <= control.counters.packetsSent)
  }

  @Test(
    "every stale accuser is corrected at once; past a probe interval's places, at a packet's cost")
  func everyAccuserAtOnce() throws {
    var node = try makeNode(knowing: 40, settings: guarded())
    _ = drive(&node, from: 0, to: 2, silent: "", nacks: false)
    _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(2))
    let accusers = Array(2...31)
    var sent: [(message: Message, to: NodeAddress)] = []
    for accuser in accusers {
      let stale = Message.suspect(Suspect(incarnation: 2, node: "n1", from: "n\(accuser)"))
      sent += sentMessages(node.receive(stale, from: address(accuser), now: at(2)))
    }
    for accuser in accusers {
      #expect(
        sent.contains { $0.to == address(accuser) && correctsN1($0.message) },
        "n\(accuser) not corrected")
    }
    #expect(node.counters.staleAccusationsCorrected == accusers.count)
    // The rounds of one probe interval have 2 places each to give (one
    // stays random): 5 rounds, 10 places.
    #expect(node.counters.staleCorrectionsAddingPackets == accusers.count - 10)
  }

  @Test("one correction carries every member a packet was stale about")
  func oneCorrectionManyMembers() throws {
    var node = try makeNode(knowing: 6, settings: guarded())
    _ = drive(&node, from: 0, to: 2, silent: "", nacks: false)
    _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(2))
    _ = node.receive(.alive(alive(3, incarnation: 5)), from: address(3), now: at(2))
    let compound = try Compound.encode([
      Message.suspect(Suspect(incarnation: 2, node: "n1", from: "n2")).encoded(),
      Message.dead(Dead(incarnation: 4, node: "n3", from: "n2")).encoded(),
    ])
    let packet = try PacketCodec().seal(compound, checksum: false)
    let toAccuser = sentMessages(node.receivePacket(packet, from: address(2), now: at(2.05)))
      .filter { $0.to == address(2) }
    #expect(toAccuser.contains { correctsN1($0.message) }, "\(toAccuser)")
    #expect(
      toAccuser.contains {
        if case .alive(let alive) = $0.message {
          alive.node == "n3" && alive.incarnation == 5
        } else {
          false
        }
      }, "\(toAccuser)")
    #expect(node.counters.staleAccusationsCorrected == 1)
  }

  @Test("a correction about many members with long metadata stays within one packet's budget")
  func correctionFitsThePacket() throws {
    var node = try makeNode(knowing: 10, settings: guarded())
    _ = drive(&node, from: 0, to: 2, silent: "", nacks: false)
    for index in 3...10 {
      // Bytes that do not compress, so that the packet's size is theirs.
      var state = UInt32(index) &* 2_654_435_761
      let meta = (0..<400).map { _ -> UInt8 in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
      }
      _ = node.receive(
        .alive(alive(index, incarnation: 3, meta: meta)), from: address(index), now: at(2))
    }
    let compound = try Compound.encode(
      (3...10).map {
        Message.suspect(Suspect(incarnation: 2, node: "n\($0)", from: "n2")).encoded()
      })
    let packet = try PacketCodec().seal(compound, checksum: false)
    let effects = node.receivePacket(packet, from: address(2), now: at(2.05))
    let sizes = effects.compactMap { effect -> Int? in
      if case .send(let bytes, _) = effect { bytes.count } else { nil }
    }
    #expect(!sizes.isEmpty && sizes.allSatisfy { $0 <= node.settings.packetBudget }, "\(sizes)")
    #expect(node.counters.staleAccusationsCorrected == 1)
    // The first member accused is corrected (the rest wait for the
    // accuser's next stale packet).
    #expect(
      sentMessages(effects).contains {
        if case .alive(let alive) = $0.message {
          $0.to == address(2) && alive.node == "n3" && alive.incarnation == 3
        } else {
          false
        }
      })
  }

  @Test("one correction per accuser per probe interval")
  func onePerInterval() throws {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = true
    var node = try makeNode(knowing: 3, settings: settings)
    _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(1))
    let stale = Message.suspect(Suspect(incarnation: 2, node: "n1", from: "n2"))
    _ = drive(&node, from: 1, to: 2, silent: "", nacks: false)
    _ = node.receive(stale, from: address(2), now: at(2))
    _ = drive(&node, from: 2, to: 2.45, silent: "", nacks: false)
    _ = node.receive(stale, from: address(2), now: at(2.5))
    _ = drive(&node, from: 2.5, to: 2.55, silent: "", nacks: false)
    #expect(node.counters.staleAccusationsCorrected == 1)
    // Another accuser is answered; the first again a second later.
    _ = node.receive(stale, from: address(3), now: at(2.6))
    _ = node.receive(stale, from: address(2), now: at(3.01))
    _ = drive(&node, from: 3.01, to: 3.3, silent: "", nacks: false)
    #expect(node.counters.staleAccusationsCorrected == 3)
  }
}

@Suite("Guarded accusations: a suspicion raised elsewhere is checked")
struct SuspicionCheckTests {
  /// A node that knows `others` members, told 0.1 s in that n1 suspects
  /// n2, and what it sends until 1.2 s (every member acks but n2, whose
  /// helpers nack).
  fileprivate func checkAfterSuspicion(settings: SWIMSettings, others: Int = 4, seed: UInt64 = 1)
    throws
    -> (node: SWIMNode, traffic: Traffic)
  {
    var node = try makeNode(knowing: others, settings: settings, seed: seed)
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n2", from: "n1")), from: address(1), now: at(0.1))
    let traffic = drive(&node, from: 0.1, to: 1.2, silent: "n2", nacks: true)
    return (node, traffic)
  }

  /// The members pinged in `traffic`, in order.
  fileprivate func pinged(_ traffic: Traffic) -> [String] {
    traffic.sent.compactMap { if case .ping(let ping) = $0.message { ping.node } else { nil } }
  }

  @Test(
    "with the guard, in a small cluster the next probe checks the suspect, with the suspicion attached, and a failed check confirms"
  )
  func nextProbeChecksTheSuspect() throws {
    let (node, traffic) = try checkAfterSuspicion(settings: guarded())
    #expect(pinged(traffic).first == "n2", "\(pinged(traffic))")
    #expect(node.counters.suspicionChecks == 1)
    // Lifeguard's buddy system: the suspect hears of the suspicion in the
    // ping's packet.
    #expect(
      traffic.sent.contains {
        if case .suspect(let suspect) = $0.message {
          suspect.node == "n2" && $0.to == address(2)
        } else {
          false
        }
      })
    // The check failed while helpers nacked: this node now suspects n2
    // itself and gossips its own suspect message, a confirmation.
    #expect(
      traffic.sent.contains {
        if case .suspect(let suspect) = $0.message { suspect.from == "n0" } else { false }
      }, "\(traffic.sent.map(\.message))")
  }

  @Test("without the guard, the round robin goes on as memberlist's")
  func noCheckWithoutTheGuard() throws {
    let (node, _) = try checkAfterSuspicion(settings: guarded(false))
    #expect(node.counters.suspicionChecks == 0)
    var control = try makeNode(knowing: 4, settings: guarded(false))
    let alone = drive(&control, from: 0.1, to: 1.2, silent: "n2", nacks: true)
    let (_, traffic) = try checkAfterSuspicion(settings: guarded(false))
    #expect(pinged(traffic).first == pinged(alone).first)
  }

  @Test(
    "in a large cluster about suspicion multiplier − 2 members check: 64 nodes of 41 draw it 1 to 16 times"
  )
  func drawnInProportion() throws {
    var drawn = 0
    for seed in UInt64(1)...64 {
      let (node, _) = try checkAfterSuspicion(settings: guarded(), others: 40, seed: seed)
      drawn += node.counters.suspicionChecks
    }
    // 2 of the 39 other alive members: 64 × 2 / 39 ≈ 3.3 expected.
    #expect((1...16).contains(drawn), "\(drawn)")
  }

  @Test("the suspects waiting for a check are bounded")
  func checksAreBounded() throws {
    // A multiplier of 64 wants 62 checks, more than there are members:
    // every suspicion is drawn, and 39 at once must not all be queued.
    var settings = guarded()
    settings.suspicionMultiplier = 64
    var node = try makeNode(knowing: 40, settings: settings)
    for index in 2...40 {
      _ = node.receive(
        .suspect(Suspect(incarnation: 1, node: "n\(index)", from: "n1")), from: address(1),
        now: at(0.1))
    }
    #expect(node.accusationGuard.checks.count == AccusationGuard.checksLimit)
  }
}
