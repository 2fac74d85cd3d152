import RumorWire
import Testing

@testable import RumorCore

@Suite("The SWIM state machine on fake time")
struct SWIMNodeTests {
  @Test("a ping for this node is acked to its source address, with queued news piggybacked")
  func pingIsAcked() throws {
    var node = try makeNode(knowing: 0)
    let ping = Ping(
      seqNo: 7, node: "n0", sourceAddr: address(5).ipBytes, sourcePort: address(5).port,
      sourceNode: "n5")
    let sent = sentMessages(node.receive(.ping(ping), from: address(9), now: at(0.1)))
    #expect(sent.first?.message == .ack(Ack(seqNo: 7)))
    #expect(sent.first?.to == address(5))
    // The node's own alive rides along (it was queued at start).
    #expect(
      sent.contains { if case .alive(let alive) = $0.message { alive.node == "n0" } else { false } }
    )
  }

  @Test("a ping for another name is ignored")
  func pingForAnotherName() throws {
    var node = try makeNode(knowing: 0)
    #expect(
      node.receive(.ping(Ping(seqNo: 1, node: "other")), from: address(1), now: at(0)).isEmpty)
  }

  @Test("a probe with no answer goes indirect, tries TCP, then suspects, then declares dead")
  func failedProbeLeadsToDeath() throws {
    var node = try makeNode(knowing: 4)
    let first = try #require(firstProbe(&node))
    #expect(first.ping.sourceNode == "n0")
    let target = first.ping.node
    // Nobody answers: after the probe timeout, indirect pings to the 3 others.
    let effects = run(&node, from: first.time, to: first.time + 0.99)
    let indirect = sentMessages(effects).compactMap { sent -> IndirectPing? in
      if case .indirectPing(let request) = sent.message, request.seqNo == first.ping.seqNo {
        return request
      }
      return nil
    }
    #expect(indirect.count == 3)
    #expect(indirect.allSatisfy { $0.node == target && $0.nack })
    #expect(effects.contains { if case .openStream = $0 { true } else { false } })
    let verdict = run(&node, from: first.time + 0.99, to: first.time + 1.01)
    #expect(events(verdict).contains(.suspected(try #require(node.member(named: target)))))
    #expect(node.member(named: target)?.state == .suspect)
    #expect(node.healthScore > 0)
    // Five members: suspicion min 4 s, max 24 s, two confirmations expected.
    _ = run(&node, from: first.time + 1.01, to: first.time + 24.9)
    #expect(node.member(named: target)?.state == .suspect)
    let death = run(&node, from: first.time + 24.9, to: first.time + 25.1)
    #expect(node.member(named: target)?.state == .dead)
    #expect(
      events(death).contains {
        if case .failed(let member) = $0 { member.name == target } else { false }
      })
  }

  @Test("independent confirmations bring the death forward to the minimum timeout")
  func confirmationsShortenSuspicion() throws {
    var node = try makeNode(knowing: 5)
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n1", from: "n2")), from: address(2), now: at(1))
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n1", from: "n3")), from: address(3), now: at(1.5))
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n1", from: "n4")), from: address(4), now: at(2))
    _ = run(&node, from: 2, to: 4.9)
    #expect(node.member(named: "n1")?.state == .suspect)
    _ = run(&node, from: 4.9, to: 5.1)
    #expect(node.member(named: "n1")?.state == .dead)
  }

  @Test("an ack ends the probe as a success: no indirect pings, no suspicion")
  func ackEndsProbe() throws {
    var node = try makeNode(knowing: 2)
    let first = try #require(firstProbe(&node))
    _ = node.receive(
      .ack(Ack(seqNo: first.ping.seqNo)), from: address(1), now: at(first.time + 0.01))
    let later = run(&node, from: first.time + 0.01, to: first.time + 0.99)
    #expect(
      !sentMessages(later).contains { if case .indirectPing = $0.message { true } else { false } })
    #expect(node.members.allSatisfy { $0.state == .alive })
    #expect(node.healthScore == 0)
  }

  @Test("an accusation about this node is refuted with a higher incarnation")
  func refutation() throws {
    var node = try makeNode(knowing: 2)
    let effects = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n0", from: "n1")), from: address(1), now: at(1))
    #expect(node.incarnation == 2)
    #expect(node.counters.refutations == 1)
    #expect(events(effects).isEmpty)
    _ = node.receive(
      .dead(Dead(incarnation: 5, node: "n0", from: "n1")), from: address(1), now: at(2))
    #expect(node.incarnation == 6)
    #expect(node.member(named: "n0")?.state == .alive)
  }

  @Test("alive with an equal incarnation does not clear a suspicion; a higher one does")
  func aliveClearsSuspicionOnlyWhenNewer() throws {
    var node = try makeNode(knowing: 3)
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n1", from: "n2")), from: address(2), now: at(1))
    _ = node.receive(.alive(alive(1, incarnation: 1)), from: address(1), now: at(1.1))
    #expect(node.member(named: "n1")?.state == .suspect)
    let effects = node.receive(.alive(alive(1, incarnation: 2)), from: address(1), now: at(1.2))
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(events(effects).map(\.member.name) == ["n1"])
  }

  @Test("a dead message from the member itself marks it left")
  func leaveIsLeft() throws {
    var node = try makeNode(knowing: 2)
    let effects = node.receive(
      .dead(Dead(incarnation: 1, node: "n1", from: "n1")), from: address(1), now: at(1))
    #expect(node.member(named: "n1")?.state == .left)
    #expect(events(effects).first.map { if case .left = $0 { true } else { false } } == true)
  }

  @Test(
    "leaving gossips this node's own death and stops refuting it; with direct announcements it is sent straight to every member too",
    arguments: [false, true])
  func leaving(direct: Bool) throws {
    var settings = SWIMSettings()
    settings.policies.directAnnouncements = direct
    var node = try makeNode(knowing: 2, settings: settings)
    let farewell = sentMessages(node.leave(now: at(1))).filter {
      $0.message == .dead(Dead(incarnation: 1, node: "n0", from: "n0"))
    }
    // Sent straight to both members at once, besides being gossiped; as
    // memberlist, gossip only.
    #expect(Set(farewell.map(\.to)) == (direct ? [address(1), address(2)] : []))
    #expect(node.member(named: "n0")?.state == .left)
    #expect(!node.isLeaveBroadcast)
    let effects = run(&node, from: 1, to: 10)
    let deads = sentMessages(effects).filter {
      $0.message == .dead(Dead(incarnation: 1, node: "n0", from: "n0"))
    }
    #expect(!deads.isEmpty)
    #expect(node.isLeaveBroadcast)
    _ = node.receive(.alive(alive(0, incarnation: 1)), from: address(1), now: at(11))
    #expect(node.member(named: "n0")?.state == .left)
  }

  @Test("tag changes go out as alive with a higher incarnation and show as updates")
  func metaChange() throws {
    var node = try makeNode(knowing: 1)
    _ = try node.updateMeta([0xff, 0x80], now: at(1))
    #expect(node.incarnation == 2)
    var other = try makeNode(knowing: 1)
    let effects = other.receive(
      .alive(alive(1, incarnation: 2, meta: [0xff, 0x80])), from: address(1), now: at(1))
    #expect(events(effects).first.map { if case .updated = $0 { true } else { false } } == true)
  }

  @Test("metadata over 512 bytes is refused")
  func metaLimit() throws {
    var node = try makeNode(knowing: 0)
    #expect(throws: SettingsError.self) {
      try node.updateMeta([UInt8](repeating: 1, count: 600), now: at(1))
    }
  }

  @Test("a known name at a new address is a conflict unless the member has left")
  func addressConflicts() throws {
    var node = try makeNode(knowing: 2)
    var moved = alive(1, incarnation: 5)
    moved.port = 9999
    _ = node.receive(.alive(moved), from: address(1), now: at(1))
    #expect(node.member(named: "n1")?.address == address(1))
    _ = node.receive(
      .dead(Dead(incarnation: 1, node: "n1", from: "n1")), from: address(1), now: at(2))
    moved.incarnation = 1
    _ = node.receive(.alive(moved), from: address(1), now: at(3))
    #expect(node.member(named: "n1")?.address.port == 9999)
    #expect(node.member(named: "n1")?.state == .alive)
  }

  @Test("a push-pull reports dead members only as suspects and left ones as left")
  func pushPullMerge() throws {
    var node = try makeNode(knowing: 3)
    let remote = PushPull(
      states: [
        PushNodeState(
          name: "n1", addr: address(1).ipBytes, port: address(1).port, incarnation: 1, state: .dead,
          vsn: ProtocolVersions.rumor.bytes),
        PushNodeState(
          name: "n2", addr: address(2).ipBytes, port: address(2).port, incarnation: 1, state: .left,
          vsn: ProtocolVersions.rumor.bytes),
        PushNodeState(
          name: "n7", addr: address(7).ipBytes, port: address(7).port, incarnation: 3,
          state: .alive, vsn: ProtocolVersions.rumor.bytes),
      ], userState: [1, 2])
    let request = try StreamCodec().encode(.pushPull(remote), includeLabel: true)
    let (answer, effects) = node.handleStream(request, from: address(1), now: at(1))
    guard case .reply(let reply) = answer else {
      Issue.record("no reply: \(answer)")
      return
    }
    guard case .pushPull(let ours) = try StreamCodec().decode(reply[...], allowLabel: false).message
    else {
      Issue.record("reply is not a push-pull")
      return
    }
    // The reply is our state before the merge.
    #expect(ours.states.count == 4)
    #expect(node.member(named: "n1")?.state == .suspect)
    #expect(node.member(named: "n2")?.state == .left)
    #expect(node.member(named: "n7")?.incarnation == 3)
    #expect(effects.contains(.deliver(.remoteState([1, 2], join: false))))
    // A request cut short asks for more bytes.
    #expect(
      node.handleStream(Array(request.dropLast(3)), from: address(1), now: at(1)).answer
        == .needMoreBytes)
  }

  @Test("joining opens a push-pull and reports the outcome")
  func join() throws {
    var node = try SWIMNode(name: "n0", address: address(0), seed: 3)
    _ = node.start(now: at(0))
    let effects = node.join([address(1)], now: at(0))
    guard case .openStream(let id, let target, let request, _, _) = try #require(effects.first)
    else {
      Issue.record("no stream opened")
      return
    }
    #expect(target == address(1))
    guard case .pushPull(let mine) = try StreamCodec().decode(request[...]).message else {
      Issue.record("not a push-pull")
      return
    }
    #expect(mine.join)
    let reply = try StreamCodec().encode(
      .pushPull(
        PushPull(
          join: true,
          states: [
            PushNodeState(
              name: "n1", addr: address(1).ipBytes, port: address(1).port, incarnation: 1,
              vsn: ProtocolVersions.rumor.bytes)
          ])),
      includeLabel: false)
    let done = node.streamReplied(id: id, bytes: reply, now: at(0.1))
    #expect(done.contains(.joinFinished(address: address(1), error: nil)))
    #expect(node.activeMemberCount == 2)
    #expect(node.join([address(2)], now: at(1)).count == 1)
    let failed = node.streamFailed(id: id + 1, reason: "connection refused", now: at(1.1))
    #expect(failed == [.joinFinished(address: address(2), error: "connection refused")])
  }

  @Test("a join reply from a cluster speaking an incompatible protocol version is refused")
  func incompatibleJoin() throws {
    var (node, id) = try joiningNode()
    // A member that understands protocols 6 to 7 only: nobody can talk to it.
    let alien = ProtocolVersions(
      protocolMin: 6, protocolMax: 7, protocolCurrent: 6, delegateMin: 2, delegateMax: 5,
      delegateCurrent: 4)
    let reply = try StreamCodec().encode(
      .pushPull(
        PushPull(
          join: true,
          states: [
            PushNodeState(
              name: "n1", addr: address(1).ipBytes, port: address(1).port, incarnation: 1,
              vsn: alien.bytes)
          ])),
      includeLabel: false)
    let effects = node.streamReplied(id: id, bytes: reply, now: at(0.1))
    guard case .joinFinished(_, let error?) = try #require(effects.first) else {
      Issue.record("join did not fail: \(effects)")
      return
    }
    #expect(error.contains("incompatible"))
    #expect(node.activeMemberCount == 1)
  }

  @Test("an indirect ping is relayed, and the target's silence comes back as a nack")
  func relaying() throws {
    var node = try makeNode(knowing: 3)
    let request = IndirectPing(
      seqNo: 42, target: address(2).ipBytes, port: address(2).port, node: "n2", nack: true,
      sourceAddr: address(1).ipBytes, sourcePort: address(1).port, sourceNode: "n1")
    let sent = sentMessages(node.receive(.indirectPing(request), from: address(1), now: at(1)))
    guard case .ping(let relayed) = try #require(sent.first?.message) else {
      Issue.record("no relayed ping")
      return
    }
    #expect(sent.first?.to == address(2))
    #expect(relayed.node == "n2")
    let nacks = sentMessages(run(&node, from: 1, to: 1.6)).filter {
      $0.message == .nack(Nack(seqNo: 42))
    }
    #expect(nacks.count == 1)
    #expect(nacks.first?.to == address(1))
    // A second relay that gets its ack forwards it and sends no nack.
    let second = sentMessages(node.receive(.indirectPing(request), from: address(1), now: at(2)))
    guard case .ping(let again) = try #require(second.first?.message) else {
      Issue.record("no second relayed ping")
      return
    }
    let acks = sentMessages(
      node.receive(.ack(Ack(seqNo: again.seqNo)), from: address(2), now: at(2.1)))
    #expect(acks.first?.message == .ack(Ack(seqNo: 42)))
    #expect(acks.first?.to == address(1))
    let quiet = sentMessages(run(&node, from: 2.1, to: 2.6)).filter {
      $0.message == .nack(Nack(seqNo: 42))
    }
    #expect(quiet.isEmpty)
  }

  @Test("the same seed gives the same effects")
  func determinism() throws {
    var first = try makeNode(knowing: 20, seed: 9)
    var second = try makeNode(knowing: 20, seed: 9)
    #expect(run(&first, from: 0, to: 30) == run(&second, from: 0, to: 30))
  }

  @Test("invalid settings are reported, all at once")
  func invalidSettings() {
    var settings = SWIMSettings()
    settings.probeTimeout = .seconds(5)
    settings.indirectChecks = -1
    do {
      try settings.validate()
      Issue.record("accepted invalid settings")
    } catch {
      #expect(error.problems.count == 2)
    }
    #expect(throws: SettingsError.self) { try SWIMNode(name: "", address: address(0), seed: 1) }
  }

  @Test("profiles carry memberlist's values")
  func profiles() {
    let wan = SWIMSettings(profile: .wan)
    #expect(
      wan.probeInterval == .seconds(5) && wan.probeTimeout == .seconds(3)
        && wan.suspicionMultiplier == 6)
    let local = SWIMSettings(profile: .local)
    #expect(
      local.indirectChecks == 1 && local.retransmitMultiplier == 2
        && local.gossipInterval == .milliseconds(100))
  }
}

@Suite("Joining beyond memberlist")
struct JoinFollowUpTests {
  func joinReply(members: [Int]) throws -> [UInt8] {
    let states = members.map { index in
      PushNodeState(
        name: "n\(index)", addr: address(index).ipBytes, port: address(index).port, incarnation: 1,
        vsn: ProtocolVersions.rumor.bytes)
    }
    return try StreamCodec().encode(
      .pushPull(PushPull(join: true, states: states)), includeLabel: false)
  }

  /// Settings with quiet merges and direct announcements as given, every
  /// other policy memberlist's.
  func settings(quiet: Bool, direct: Bool) -> SWIMSettings {
    var settings = SWIMSettings()
    settings.policies.quietMerges = quiet
    settings.policies.directAnnouncements = direct
    return settings
  }

  /// A started `n0` that joined through n1, whose reply lists `members`,
  /// and the effects of taking that reply in.
  func joined(replyMembers members: [Int], settings: SWIMSettings = SWIMSettings()) throws -> (
    node: SWIMNode, replied: [Effect]
  ) {
    var (node, id) = try joiningNode(settings)
    let replied = node.streamReplied(
      id: id, bytes: try joinReply(members: members), now: at(0.01))
    #expect(node.activeMemberCount == members.count + 1)
    return (node, replied)
  }

  /// The alive messages `n0` gossips in its first second after joining
  /// through a member whose reply lists `members`.
  func gossipedAfterJoining(replyMembers members: [Int], settings: SWIMSettings) throws
    -> Set<String>
  {
    var (node, replied) = try joined(replyMembers: members, settings: settings)
    let gossip = sentMessages(replied + run(&node, from: 0.01, to: 1.0))
    return Set(
      gossip.compactMap { sent -> String? in
        if case .alive(let alive) = sent.message { return alive.node }
        return nil
      })
  }

  /// Where `n0` sent its own alive message in `effects`, in order.
  func ownAliveSent(_ effects: [Effect]) -> [NodeAddress] {
    sentMessages(effects).compactMap { sent -> NodeAddress? in
      if case .alive(let alive) = sent.message, alive.node == "n0" { return sent.to }
      return nil
    }
  }

  @Test("a join answered by a closed connection names a different label or key as the likely cause")
  func silentJoinReply() throws {
    var (node, id) = try joiningNode()
    let errors = node.streamReplied(id: id, bytes: [], now: at(0.01)).compactMap {
      effect -> String? in
      if case .joinFinished(_, let error?) = effect { return error }
      return nil
    }
    #expect(errors.count == 1)
    #expect(errors.first?.contains("a different label or encryption key?") == true, "\(errors)")
  }

  @Test("under quiet merges, members from a big join reply are taken in without being re-gossiped")
  func bigReplyMembersAreNotRegossiped() throws {
    // Gossip carries only our own alive, not the hundred we learned.
    let quiet = settings(quiet: true, direct: true)
    #expect(try gossipedAfterJoining(replyMembers: Array(1...100), settings: quiet) == ["n0"])
  }

  @Test("without quiet merges, members from a big join reply are re-gossiped, as memberlist does")
  func bigReplyMembersAreRegossipedAsMemberlist() throws {
    let gossiped = try gossipedAfterJoining(
      replyMembers: Array(1...100), settings: settings(quiet: false, direct: false))
    #expect(gossiped.contains("n0"))
    #expect(gossiped.count > 5, "\(gossiped.sorted())")
  }

  @Test(
    "members learned from a small join reply are re-gossiped, as memberlist does, with or without quiet merges",
    arguments: [false, true])
  func smallReplyMembersAreRegossiped(quiet: Bool) throws {
    let gossiped = try gossipedAfterJoining(
      replyMembers: Array(1...10), settings: settings(quiet: quiet, direct: quiet))
    // Our own alive and news of the ten, as far as a second of gossip
    // rounds (three members each, four sends a message) carries it.
    #expect(gossiped.contains("n0"))
    #expect(gossiped.count > 5, "\(gossiped.sorted())")
  }

  @Test(
    "with direct announcements, a joiner into a small cluster sends its alive straight to every member it learned of"
  )
  func joinerAnnouncesItselfDirectly() throws {
    let (_, replied) = try joined(
      replyMembers: Array(1...10), settings: settings(quiet: true, direct: true))
    // Every member but n1, which answered the join and knows n0 already.
    #expect(Set(ownAliveSent(replied)) == Set((2...10).map(address)))
  }

  @Test("without direct announcements, a joiner leaves its announcement to the next gossip round")
  func joinerAnnouncesItselfByGossipAsMemberlist() throws {
    let (_, replied) = try joined(
      replyMembers: Array(1...10), settings: settings(quiet: false, direct: false))
    #expect(ownAliveSent(replied).isEmpty)
  }

  @Test("a joiner into a big cluster leaves its announcement to gossip")
  func bigClusterJoinIsGossipedOnly() throws {
    let (_, replied) = try joined(
      replyMembers: Array(1...100), settings: settings(quiet: true, direct: true))
    // One gossip round: three members at most.
    #expect(ownAliveSent(replied).count <= 3)
  }

  /// Whether `n0`, knowing n1…n3, gossips n9 within a second after a peer's
  /// push-pull (a join or not) brings it.
  func gossipsMember(broughtByJoin join: Bool, settings: SWIMSettings) throws -> Bool {
    var node = try makeNode(knowing: 3, settings: settings)
    let request = try StreamCodec().encode(
      .pushPull(
        PushPull(
          join: join,
          states: [
            PushNodeState(
              name: "n9", addr: address(9).ipBytes, port: address(9).port, incarnation: 1,
              vsn: ProtocolVersions.rumor.bytes)
          ])),
      includeLabel: true)
    _ = node.handleStream(request, from: address(9), now: at(1))
    #expect(node.member(named: "n9")?.state == .alive)
    let gossip = sentMessages(run(&node, from: 1, to: 2))
    return gossip.contains {
      if case .alive(let alive) = $0.message { alive.node == "n9" } else { false }
    }
  }

  @Test(
    "a member a periodic push-pull brings is gossiped on as memberlist does, not under quiet merges"
  )
  func antiEntropyMemberGossip() throws {
    #expect(
      try gossipsMember(broughtByJoin: false, settings: settings(quiet: false, direct: false)))
    #expect(try !gossipsMember(broughtByJoin: false, settings: settings(quiet: true, direct: true)))
  }

  @Test("a joiner's own alive, learned by the member it joins through, is gossiped")
  func joinerIsGossiped() throws {
    #expect(try gossipsMember(broughtByJoin: true, settings: settings(quiet: false, direct: false)))
    #expect(try gossipsMember(broughtByJoin: true, settings: settings(quiet: true, direct: true)))
  }

  @Test("after joining, the node exchanges full state again 2, 6 and 14 seconds later")
  func followUpSyncs() throws {
    var settings = SWIMSettings()
    settings.policies.joinFollowUpSyncs = 3
    settings.pushPullInterval = .zero  // only the follow-ups exchange state
    settings.probeInterval = .seconds(60)  // and no probe fails within the test
    settings.disableTCPPings = true
    var (node, id) = try joiningNode(settings)
    _ = node.streamReplied(id: id, bytes: try joinReply(members: [1, 2, 3]), now: at(0))
    var opened: [Double] = []
    try eachPushPull(of: &node, until: at(30)) { node, stream, now in
      opened.append(now.seconds)
      _ = node.streamFailed(id: stream, reason: "test", now: now)
    }
    #expect(opened == [2, 6, 14])
  }

  /// When `n0` (seeded with `seed`), joined through a reply listing
  /// n1…n`members`, opens its periodic push-pulls in its first 200 s;
  /// each fails at once.
  func periodicPushPulls(early: Bool, members: Int, seed: UInt64) throws -> [Int64] {
    var settings = SWIMSettings()
    settings.policies.earlyFirstPushPull = early
    settings.probeInterval = .seconds(600)  // no probe fails within the test
    settings.disableTCPPings = true
    var (node, id) = try joiningNode(settings, seed: seed)
    _ = node.streamReplied(id: id, bytes: try joinReply(members: Array(1...members)), now: at(0))
    var opened: [Int64] = []
    try eachPushPull(of: &node, until: at(200)) { node, stream, now in
      opened.append(now.nanoseconds)
      _ = node.streamFailed(id: stream, reason: "test", now: now)
    }
    return opened
  }

  @Test(
    "the first periodic push-pull comes after a random stagger and a whole scaled interval, as memberlist's, or at the stagger with the early first push-pull",
    arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
  func firstPushPull(seed: UInt64) throws {
    let second: Int64 = 1_000_000_000
    // Four members (n0 and three): the LAN profile's 30 s interval.
    let small = try periodicPushPulls(early: false, members: 3, seed: seed)
    let first = try #require(small.first)
    #expect((30 * second..<60 * second).contains(first), "\(small)")
    #expect(small.dropFirst().first == first + 30 * second, "\(small)")
    // 41 members: the interval is scaled to 60 s (× ⌈log2(41) − 5⌉ + 1).
    let scaled = try periodicPushPulls(early: false, members: 40, seed: seed)
    let firstScaled = try #require(scaled.first)
    #expect((60 * second..<90 * second).contains(firstScaled), "\(scaled)")
    #expect(scaled.dropFirst().first == firstScaled + 60 * second, "\(scaled)")
    // Early: at the stagger, then every scaled interval.
    let early = try periodicPushPulls(early: true, members: 3, seed: seed)
    let firstEarly = try #require(early.first)
    #expect((0..<30 * second).contains(firstEarly), "\(early)")
    #expect(early.dropFirst().first == firstEarly + 30 * second, "\(early)")
    #expect(first == firstEarly + 30 * second, "the same stagger: \(small), \(early)")
  }

  /// When `n0`, joined through a reply listing n1…n3, opens its follow-up
  /// syncs within 30 s, each answered with a reply listing the members
  /// `answer` gives for that sync (counted from 0).
  func followUpsAnswered(
    joinedWith joined: [Int] = [1, 2, 3], direct: Bool = true, _ answer: (Int) -> [Int]
  ) throws -> [Double] {
    var settings = SWIMSettings()
    settings.policies.joinFollowUpSyncs = 3
    // The early end relies on joiners announcing themselves to everyone.
    settings.policies.directAnnouncements = direct
    settings.pushPullInterval = .zero
    settings.probeInterval = .seconds(60)
    settings.disableTCPPings = true
    var (node, id) = try joiningNode(settings)
    _ = node.streamReplied(id: id, bytes: try joinReply(members: joined), now: at(0))
    var opened: [Double] = []
    try eachPushPull(of: &node, until: at(30)) { node, stream, now in
      let reply = try joinReply(members: answer(opened.count))
      opened.append(now.seconds)
      _ = node.streamReplied(id: stream, bytes: reply, now: now)
    }
    return opened
  }

  @Test("a follow-up sync that brings nothing new ends the follow-up syncs")
  func followUpSyncsStopWhenNothingNew() throws {
    // Every reply lists the members n0 knows already: the first sync
    // shows the join complete, and no other is made.
    #expect(try followUpsAnswered { _ in [1, 2, 3] } == [2])
    // Without direct announcements a quiet sync says less: all are made.
    #expect(try followUpsAnswered(direct: false) { _ in [1, 2, 3] } == [2, 6, 14])
  }

  @Test("follow-up syncs go on while each brings a member the node did not know")
  func followUpSyncsGoOnWhileNews() throws {
    // A join storm: each reply lists one more member than the last.
    #expect(try followUpsAnswered { Array(1...(4 + $0)) } == [2, 6, 14])
    // The second brings nothing new: the third is not made.
    #expect(try followUpsAnswered { _ in [1, 2, 3, 4] } == [2, 6])
  }

  @Test("in a big cluster every follow-up sync is made, news or not")
  func followUpSyncsAllMadeInBigCluster() throws {
    // One peer's view says little about a hundred members' join storm.
    let members = Array(1...100)
    #expect(try followUpsAnswered(joinedWith: members) { _ in members } == [2, 6, 14])
  }
}

@Suite("Refused connections as proof of a crash")
struct RefusedConnectionTests {
  func probeUntilFallback(_ node: inout SWIMNode) throws -> (
    stream: UInt64, target: String, time: Double
  )? {
    guard let first = firstProbe(&node) else { return nil }
    var now = at(first.time)
    var steps = 0
    while let deadline = node.nextDeadline, steps < 1_000 {
      steps += 1
      now = deadline
      for effect in node.tick(now: now) {
        if case .openStream(let id, _, let request, _, _) = effect,
          case .ping = try StreamCodec().decode(request[...]).message
        {
          return (id, first.ping.node, now.seconds)
        }
      }
    }
    return nil
  }

  /// A node that knows 20 members and treats refused connections as
  /// failures.
  func refusingNode() throws -> SWIMNode {
    var settings = SWIMSettings()
    settings.policies.fastCrashDetection = true
    return try makeNode(knowing: 20, settings: settings)
  }

  /// Whether `effects` announce that `member` is suspected.
  func suspects(_ effects: [Effect], _ member: String) -> Bool {
    events(effects).contains {
      if case .suspected(let suspected) = $0 { suspected.name == member } else { false }
    }
  }

  @Test(
    "with the option on, a refused fallback ping gets the member declared dead at once"
  )
  func refusedMeansDead() throws {
    var node = try refusingNode()
    let fallback = try #require(try probeUntilFallback(&node))
    let effects = node.streamFailed(
      id: fallback.stream, reason: "connection refused", refused: true,
      now: at(fallback.time + 0.001))
    #expect(suspects(effects, fallback.target))
    _ = run(&node, from: fallback.time + 0.001, to: fallback.time + 0.002)
    #expect(node.member(named: fallback.target)?.state == .dead)
  }

  @Test(
    "with the option on, a port-unreachable report about the probe's target ends the probe at once, without costing local health"
  )
  func portUnreachableEndsProbe() throws {
    var node = try refusingNode()
    let first = try #require(firstProbe(&node))
    let target = try #require(node.member(named: first.ping.node)).address
    // About someone else: nothing happens.
    let other = target == address(1) ? address(2) : address(1)
    #expect(node.portUnreachable(other, now: at(first.time + 0.001)).isEmpty)
    let effects = node.portUnreachable(target, now: at(first.time + 0.002))
    #expect(suspects(effects, first.ping.node))
    #expect(node.counters.unreachablePorts == 1)
    #expect(node.healthScore == 0)
    let later = run(&node, from: first.time + 0.002, to: first.time + 1.1)
    #expect(node.member(named: first.ping.node)?.state == .dead)
    // A proven death in a small cluster is sent to every alive member at once.
    let told = Set(
      sentMessages(later).compactMap { sent -> NodeAddress? in
        if case .dead(let dead) = sent.message, dead.node == first.ping.node { return sent.to }
        return nil
      })
    let alive = node.members.filter { $0.state == .alive && $0.name != "n0" }.map(\.address)
    #expect(told == Set(alive))
  }

  @Test(
    "a proven death stands when other members' suspicions of it arrive"
  )
  func provenSuspicionOutlivesConfirmations() throws {
    var node = try refusingNode()
    let first = try #require(firstProbe(&node))
    let suspect = first.ping.node
    let target = try #require(node.member(named: suspect)).address
    _ = node.portUnreachable(target, now: at(first.time + 0.001))
    // The whole cluster notices too; each accusation is a confirmation,
    // whose formula deadline lies seconds later than the proof's.
    let accusers = node.members.filter { $0.name != "n0" && $0.name != suspect }.prefix(3)
    for (index, accuser) in accusers.enumerated() {
      _ = node.receive(
        .suspect(Suspect(incarnation: 1, node: suspect, from: accuser.name)),
        from: accuser.address, now: at(first.time + 0.1 + 0.1 * Double(index)))
    }
    _ = run(&node, from: first.time + 0.4, to: first.time + 1.1)
    #expect(node.member(named: suspect)?.state == .dead)
  }

  @Test("with the option off, a port-unreachable report is ignored")
  func portUnreachableIgnoredByDefault() throws {
    var node = try makeNode(knowing: 20)
    let first = try #require(firstProbe(&node))
    let target = try #require(node.member(named: first.ping.node)).address
    #expect(node.portUnreachable(target, now: at(first.time + 0.001)).isEmpty)
    #expect(node.counters.unreachablePorts == 0)
  }

  @Test(
    "with the option off, a refused fallback ping changes nothing: the usual suspicion timeout applies"
  )
  func refusedIgnoredByDefault() throws {
    var node = try makeNode(knowing: 20)
    let fallback = try #require(try probeUntilFallback(&node))
    _ = node.streamFailed(
      id: fallback.stream, reason: "connection refused", refused: true,
      now: at(fallback.time + 0.001))
    _ = run(&node, from: fallback.time + 0.001, to: fallback.time + 3)
    #expect(node.member(named: fallback.target)?.state == .suspect)
  }
}

/// A started `n0` (with `settings`) and the id of the join stream it
/// opened to n1.
/// Runs `node`'s timers up to `end` and hands `body` each push-pull the
/// node opens (its stream and the time), to answer or fail.
private func eachPushPull(
  of node: inout SWIMNode, until end: Timestamp,
  _ body: (inout SWIMNode, UInt64, Timestamp) throws -> Void
) throws {
  var steps = 0
  while let deadline = node.nextDeadline, deadline <= end, steps < 10_000 {
    steps += 1
    for effect in node.tick(now: deadline) {
      if case .openStream(let stream, _, let request, _, _) = effect,
        case .pushPull = try StreamCodec().decode(request[...]).message
      {
        try body(&node, stream, deadline)
      }
    }
  }
}

private func joiningNode(_ settings: SWIMSettings = SWIMSettings(), seed: UInt64 = 3) throws -> (
  node: SWIMNode, stream: UInt64
) {
  var node = try SWIMNode(name: "n0", address: address(0), settings: settings, seed: seed)
  _ = node.start(now: at(0))
  let first = try #require(node.join([address(1)], now: at(0)).first)
  guard case .openStream(let id, _, _, _, _) = first else {
    throw JoinTestError.noJoinStream(first)
  }
  return (node, id)
}

/// A join that did not open a stream, as the join tests expect.
enum JoinTestError: Error {
  case noJoinStream(Effect)
}
