import RumorWire
import Testing

@testable import RumorCore

/// A started cluster node "n0" (SWIM and Serf) that knows n1…n`others`.
private func makeClusterNode(knowing others: Int, serf: SerfSettings = SerfSettings()) throws
  -> ClusterNode
{
  var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
  _ = node.start(now: at(0))
  for index in stride(from: 1, through: others, by: 1) {
    _ = node.receivePacket(Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
  }
  return node
}

/// Serf's settings without the eager reconnect: Serf's reconnect alone.
private var serfReconnectOnly: SerfSettings {
  var settings = SerfSettings()
  settings.eagerReconnectInterval = nil
  return settings
}

/// The streams opened to `target`, by id.
private func streams(to target: NodeAddress, in effects: [Effect]) -> [UInt64] {
  effects.compactMap { effect in
    if case .openStream(let id, target, _, _, _) = effect { return id }
    return nil
  }
}

private func joinsOpened(_ effects: [Effect]) -> [NodeAddress] {
  effects.compactMap { effect in
    if case .openStream(_, let target, _, _, _) = effect { return target }
    return nil
  }
}

/// A node n0 that knows n1…n`others`, the last four of them the other side
/// of a split: declared dead at 1 s, and every try to reach them refused
/// until 70 s, while n0's own side answers its probes. Returns the node
/// at 70 s, holding the other side failed.
private func nodeAfterSplit(knowing others: Int) throws -> ClusterNode {
  var node = try makeClusterNode(knowing: others)
  let sideRange = (others - 3)...others
  let otherSide = sideRange.map { address($0) }
  for index in sideRange {
    let dead = Message.dead(Dead(incarnation: 1, node: "n\(index)", from: "n1")).encoded()
    _ = node.receivePacket(dead, from: address(1), now: at(1))
  }
  var now = 1.0
  while now < 70 {
    let effects = run(&node, from: now, to: now + 0.1)
    now += 0.1
    for effect in effects {
      if case .openStream(let id, let target, _, _, _) = effect, otherSide.contains(target) {
        _ = node.streamFailed(id: id, reason: "refused", refused: true, now: at(now))
      }
    }
    for sent in sentMessages(effects) where !otherSide.contains(sent.to) {
      guard case .ping(let ping) = sent.message else { continue }
      _ = node.receivePacket(
        Message.ack(Ack(seqNo: ping.seqNo)).encoded(), from: sent.to, now: at(now))
    }
  }
  return node
}

@Suite("ClusterNode: SWIM and Serf in one machine")
struct ClusterNodeTests {
  @Test("a failed member stays listed as failed after SWIM forgets it, and is reconnected to")
  func failedMemberKeptAndReconnected() throws {
    var node = try makeClusterNode(knowing: 1, serf: serfReconnectOnly)
    let dead = Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded()
    let effects = node.receivePacket(dead, from: address(2), now: at(1))
    #expect(events(effects).contains(.failed(try #require(node.swim.member(named: "n1")))))
    #expect(node.serf?.status(of: "n1") == .failed)
    // No reconnect before Serf's 30 s interval…
    #expect(!joinsOpened(run(&node, from: 1, to: 30)).contains(address(1)))
    // …then one (with probability failed / alive = 1 here), and past
    // memberlist's gossip-to-the-dead window SWIM forgets n1 while Serf
    // still lists it as failed.
    let later = run(&node, from: 30, to: 35)
    #expect(joinsOpened(later).contains(address(1)))
    #expect(node.swim.member(named: "n1") == nil)
    #expect(node.members.first { $0.name == "n1" }?.state == .dead)
  }

  @Test(
    "the eager reconnect tries a failed member within seconds, one attempt to it at a time, and stops once it is back"
  )
  func eagerReconnect() throws {
    // n1 is the only other member, so every stream to it is a reconnect
    // (SWIM probes no dead member).
    var node = try makeClusterNode(knowing: 1)
    let dead = Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded()
    _ = node.receivePacket(dead, from: address(2), now: at(1))
    // Every 2.5 to 7.5 s with probability failed / alive = 1: a try
    // within 7.5 s, and no second one while it is under way (it has not
    // reported back; it would within the TCP timeout).
    let first = streams(to: address(1), in: run(&node, from: 1, to: 8.5))
    #expect(first.count == 1)
    #expect(streams(to: address(1), in: run(&node, from: 8.5, to: 11)).isEmpty)
    #expect(node.serf?.counters.reconnectAttempts == 1)
    // Refused: the slot is free again, and the next tries come.
    let id = try #require(first.first)
    _ = node.streamFailed(id: id, reason: "connection refused", refused: true, now: at(11))
    let again = streams(to: address(1), in: run(&node, from: 11, to: 18.5))
    #expect(again.count == 1)
    for id in again {
      _ = node.streamFailed(id: id, reason: "connection refused", refused: true, now: at(18.5))
    }
    // Back (a refutation): no longer a candidate, and no more tries.
    _ = node.receivePacket(
      Message.alive(alive(1, incarnation: 2)).encoded(), from: address(1), now: at(18.5))
    #expect(node.serf?.status(of: "n1") == .alive)
    #expect(node.reconnectCandidates.isEmpty)
    let attempts = node.serf?.counters.reconnectAttempts
    _ = run(&node, from: 18.5, to: 26)
    #expect(node.serf?.counters.reconnectAttempts == attempts)
  }

  @Test(
    "after a split heals, a member that took one member of the other side back but missed the gossip of the rest tries them within about a probe interval"
  )
  func lateMemberTriesTheRestSoon() throws {
    // n0 knows n1…n7; n4…n7, the other side of a split, are declared dead
    // at 1 s, and every try to reach them is refused until the split heals.
    // n1…n3, n0's side, answer its probes.
    var node = try nodeAfterSplit(knowing: 7)
    #expect(node.reconnectCandidates.count == 4)
    // The split heals: n5 joins across and announces itself to n0
    // directly, but the gossip about n4, n6 and n7 misses n0, while the
    // rest of n0's side takes them back. A try at one of them is what
    // brings n0 the rest (its push-pull); it used to wait for a tick
    // 2.5–7.5 s away, and then come with probability 3 / 5.
    _ = node.receivePacket(Message.alive(alive(5)).encoded(), from: address(5), now: at(70))
    #expect(node.serf?.status(of: "n5") == .alive)
    let tried = joinsOpened(run(&node, from: 70, to: 71.5))
    #expect(tried.contains { [address(4), address(6), address(7)].contains($0) }, "\(tried)")
  }

  @Test(
    "after a split heals, a member that sees the other side come back only refuted tries the rest within about a probe interval once a second one of them is back, not after one"
  )
  func lateMemberTriesTheRestAfterRefutedReturns() throws {
    // As above, with n5…n8 the other side, declared dead at 1 s.
    var node = try nodeAfterSplit(knowing: 8)
    #expect(node.reconnectCandidates.count == 4)
    // The split heals, and the other side comes back to n0 refuted (a
    // member that still held it dead reminded it): n5 first. One refuted
    // return is what a flapping member gives too: no quick ticks.
    let refuted = Message.alive(alive(5, incarnation: 2)).encoded()
    _ = node.receivePacket(refuted, from: address(5), now: at(70))
    #expect(node.serf?.status(of: "n5") == .alive)
    let quickAfterOne = (node.firstTickSinceReturn, node.returnedUntil)
    #expect(!quickAfterOne.0 && quickAfterOne.1 == 0)
    // n6, which failed with it, back refuted as well: its side is back,
    // and n0, the member the gossip missed for n7 and n8, tries them.
    let second = Message.alive(alive(6, incarnation: 2)).encoded()
    _ = node.receivePacket(second, from: address(6), now: at(70.05))
    #expect(node.serf?.status(of: "n6") == .alive)
    let quickAfterTwo = node.firstTickSinceReturn
    #expect(quickAfterTwo)
    let tried = joinsOpened(run(&node, from: 70.05, to: 71.6))
    #expect(tried.contains { [address(7), address(8)].contains($0) }, "\(tried)")
  }

  @Test(
    "an eager reconnect waits for its connection only as long as a probe waits for its ack; joins and Serf's reconnect wait the TCP timeout"
  )
  func reconnectConnectTimeout() throws {
    func connectTimeouts(_ effects: [Effect]) -> [Duration?] {
      effects.compactMap { effect in
        if case .openStream(_, _, _, _, let connect) = effect { return connect }
        return nil
      }
    }
    var node = try makeClusterNode(knowing: 1)
    let dead = Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded()
    _ = node.receivePacket(dead, from: address(2), now: at(1))
    let eager = connectTimeouts(run(&node, from: 1, to: 8.5))
    #expect(eager == [.some(SWIMSettings().probeTimeout)])
    // A join asked for by the application waits as any stream.
    #expect(connectTimeouts(node.join([address(5)], now: at(9))) == [.none])
    // Serf's reconnect alone is Serf's: the whole TCP timeout.
    var serfOnly = try makeClusterNode(knowing: 1, serf: serfReconnectOnly)
    _ = serfOnly.receivePacket(dead, from: address(2), now: at(1))
    #expect(connectTimeouts(run(&serfOnly, from: 1, to: 35)) == [.none])
  }

  @Test("the eager reconnect's settings are checked")
  func eagerReconnectSettingsValidated() {
    var settings = SerfSettings()
    settings.eagerReconnectInterval = .milliseconds(10)
    settings.reconnectBackoff = .zero
    settings.reconnectsInFlightLimit = 0
    #expect(throws: SettingsError.self) { try settings.validate() }
    settings.eagerReconnectInterval = .seconds(31)
    settings.reconnectBackoff = .seconds(60)
    settings.reconnectsInFlightLimit = 2
    #expect(throws: SettingsError.self) { try settings.validate() }
    settings.eagerReconnectInterval = nil
    #expect(throws: Never.self) { try settings.validate() }
    #expect(throws: Never.self) { try SerfSettings().validate() }
  }

  @Test("the eager reconnect backs off from its first interval to Serf's over the backoff steps")
  func reconnectBackoff() {
    let policy = ReconnectPolicy(SerfSettings())
    let second: Int64 = 1_000_000_000
    #expect(policy.interval(age: 0) == 5 * second)
    #expect(policy.interval(age: 59 * second) == 5 * second)
    #expect(policy.interval(age: 60 * second) == 10 * second)
    #expect(policy.interval(age: 150 * second) == 20 * second)
    #expect(policy.interval(age: 180 * second) == 30 * second)
    #expect(policy.interval(age: .max) == 30 * second)
    #expect(ReconnectPolicy(serfReconnectOnly).interval(age: 0) == 30 * second)
  }

  @Test(
    "force-leave makes a failed member left: a left event, listed left, gossiped, no reconnect, reaped after the tombstone timeout"
  )
  func forceLeave() throws {
    var serf = SerfSettings()
    serf.tombstoneTimeout = .seconds(20)
    var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    _ = node.start(now: at(0))
    for index in 1...2 {
      _ = node.receivePacket(
        Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
    }
    _ = node.receivePacket(
      Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded(), from: address(2),
      now: at(1))
    let effects = node.forceLeave("n1", now: at(2))
    #expect(
      events(effects).contains {
        if case .left(let member) = $0 {
          member.name == "n1" && member.state == .left
        } else {
          false
        }
      })
    #expect(node.serf?.status(of: "n1") == .left)
    // Listed left at once, though SWIM still keeps it as dead.
    #expect(node.swim.member(named: "n1")?.state == .dead)
    #expect(node.members.first { $0.name == "n1" }?.state == .left)
    #expect(node.member(named: "n1")?.state == .left)
    // The intent goes out to the others.
    #expect(node.swim.pendingUserMessages > 0)
    // An alive member is not made left here (it refutes the intent
    // itself; until then Serf holds it as leaving).
    _ = node.forceLeave("n2", now: at(2))
    #expect(node.members.first { $0.name == "n2" }?.state == .alive)
    #expect(node.serf?.status(of: "n2") == .leaving)
    // Nobody reconnects to n1, and it is reaped.
    let later = run(&node, from: 2, to: 40)
    #expect(!joinsOpened(later).contains(address(1)))
    #expect(
      events(later).contains {
        if case .reaped(let member) = $0 { member.name == "n1" } else { false }
      })
    #expect(!node.members.contains { $0.name == "n1" })
  }

  @Test("a reaped member is announced and no longer listed")
  func reapedMemberAnnounced() throws {
    var serf = SerfSettings()
    serf.reconnectTimeout = .seconds(10)
    var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    _ = node.start(now: at(0))
    _ = node.receivePacket(Message.alive(alive(1)).encoded(), from: address(1), now: at(0))
    _ = node.receivePacket(
      Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded(), from: address(2),
      now: at(1))
    let effects = run(&node, from: 1, to: 60)
    #expect(
      events(effects).contains {
        if case .reaped(let member) = $0 { member.name == "n1" } else { false }
      })
    #expect(!node.members.contains { $0.name == "n1" })
  }

  @Test("a plain memberlist node keeps no failed member and never reconnects")
  func plainMemberlistNode() throws {
    var node = try ClusterNode(name: "n0", address: address(0), serf: nil, seed: 1)
    _ = node.start(now: at(0))
    _ = node.receivePacket(Message.alive(alive(1)).encoded(), from: address(1), now: at(0))
    _ = node.receivePacket(
      Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded(), from: address(2),
      now: at(1))
    let effects = run(&node, from: 1, to: 70)
    #expect(!node.members.contains { $0.name == "n1" })
    #expect(!joinsOpened(effects).contains(address(1)))
  }

  @Test("Serf's state is encoded only when a push-pull goes out, not per message, nor kept")
  func serfStateEncodedLazily() throws {
    var node = try makeClusterNode(knowing: 3)
    var parts: [[UInt8]] = []
    for index in 0..<200 {
      let intent = SerfMessage.join(SerfJoin(lamportTime: UInt64(10 + index), node: "x\(index)"))
      parts.append(Message.user(UserMessage(payload: intent.encoded())).encoded())
    }
    _ = node.receivePacket(try Compound.encode(parts), from: address(1), now: at(1))
    #expect(node.stateEncodings == 0)
    // Each push-pull (a join here) encodes it; no copy is kept between
    // them (one per node was gigabytes of a 10,000-node simulation).
    #expect(joinsOpened(node.join([address(5)], now: at(2))) == [address(5)])
    #expect(node.stateEncodings == 1)
    #expect(joinsOpened(node.join([address(6)], now: at(2))) == [address(6)])
    #expect(node.stateEncodings == 2)
    #expect(node.swim.localUserState.isEmpty)
    let state = try SerfMessage(decoding: try #require(node.serf).localState()[...])
    guard case .pushPull(let pushPull) = state else {
      Issue.record("the user state is not Serf's push-pull state")
      return
    }
    #expect(pushPull.statusLamportTimes.count == 4)
  }

  @Test("overlapping leaves finish once, and a leave with nobody to tell finishes at once")
  func leaveFinishesOnce() throws {
    var alone = try ClusterNode(name: "n0", address: address(0), seed: 1)
    _ = alone.start(now: at(0))
    #expect(alone.leave(now: at(1), timeout: .seconds(5)).contains(.leaveFinished))
    #expect(alone.leave(now: at(1), timeout: .seconds(5)).isEmpty)

    var node = try makeClusterNode(knowing: 3)
    let first = node.leave(now: at(1), timeout: .seconds(5))
    #expect(!first.contains(.leaveFinished))
    #expect(node.leave(now: at(1.1), timeout: .seconds(5)).isEmpty)
    #expect(node.serf?.isLeaving == true)
    let rest = run(&node, from: 1.1, to: 7)
    #expect(rest.filter { $0 == .leaveFinished }.count == 1)
    #expect(node.hasFinishedLeaving)
    #expect(node.swim.hasLeft)
  }

  @Test("failed members are kept up to the lost-member limit; past it the oldest is reaped")
  func lostMembersBounded() throws {
    var serf = SerfSettings()
    serf.lostMemberLimit = 3
    var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    _ = node.start(now: at(0))
    for index in 1...5 {
      _ = node.receivePacket(
        Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
    }
    var reaped: [String] = []
    for index in 1...5 {
      let dead = Message.dead(Dead(incarnation: 1, node: "n\(index)", from: "n9")).encoded()
      for case .reaped(let member) in events(
        node.receivePacket(dead, from: address(9), now: at(Double(index))))
      {
        reaped.append(member.name)
      }
    }
    #expect(reaped == ["n1", "n2"])
    // Serf forgot them (SWIM still lists them dead until its own window).
    #expect(node.serf?.status(of: "n1") == nil && node.serf?.status(of: "n2") == nil)
    #expect(node.serf?.failedMembers == ["n3", "n4", "n5"])
    #expect(node.serf?.counters.lostMembersForgottenEarly == 2)
  }
}
