import RumorWire
import Testing

@testable import RumorCore

/// Serf messages and states as payloads, the way the SWIM core delivers
/// them.
private enum Serf {
  static func join(_ node: String, at time: UInt64) -> [UInt8] {
    SerfMessage.join(SerfJoin(lamportTime: time, node: node)).encoded()
  }

  static func leave(_ node: String, at time: UInt64, prune: Bool = false) -> [UInt8] {
    SerfMessage.leave(SerfLeave(lamportTime: time, node: node, prune: prune)).encoded()
  }

  static func state(
    memberTime: UInt64 = 1, statusTimes: [String: UInt64] = [:], left: [String] = [],
    eventTime: UInt64 = 1, events: [SerfEventBatch?] = [], queryTime: UInt64 = 1
  ) -> [UInt8] {
    SerfMessage.pushPull(
      SerfPushPull(
        lamportTime: memberTime, statusLamportTimes: statusTimes, leftMembers: left,
        eventLamportTime: eventTime, events: events, queryLamportTime: queryTime)
    ).encoded()
  }

  /// Decodes what the layer asks to gossip.
  static func decode(_ bytes: [UInt8]) -> SerfMessage? {
    try? SerfMessage(decoding: bytes[...])
  }

  /// Decodes the layer's push-pull state.
  static func decodeState(_ bytes: [UInt8]) -> SerfPushPull? {
    guard case .pushPull(let state)? = decode(bytes) else { return nil }
    return state
  }
}

/// Bytes from hex written in a test (a typo is a test bug).
private func bytes(_ text: String) throws -> [UInt8] {
  try Hex.decode(text)
}

/// A layer for node "me" that memberlist has shown `others`, all alive.
private func makeLayer(
  knowing others: [String] = [], settings: SerfSettings = SerfSettings()
) throws -> SerfLayer {
  var layer = try SerfLayer(name: "me", settings: settings)
  for name in others { _ = layer.memberJoined(name, now: at(0)) }
  return layer
}

/// The Serf user state a `serf` 0.9.4 agent named `cap-b` sent in its
/// join push-pull (`Tests/RumorWireTests/Fixtures/serf-2node-plain.jsonl`,
/// TCP 127.0.0.1:39008 -> 127.0.0.1:27946, `UserStateLen` 589): the
/// 512-slot event ring is 512 msgpack nils in a row.
private func capturedState(of node: String = "cap-b") throws -> [UInt8] {
  let nodeHex = Hex.encode(Array(node.utf8))
  return try bytes(
    "0286aa4576656e744c54696d6501a64576656e7473dc0200"
      + String(repeating: "c0", count: 512)
      + "a54c54696d6501ab4c6566744d656d6265727390aa51756572794c54696d6501ac53746174"
      + "75734c54696d657381a5\(nodeHex)00")
}

@Suite("The Serf layer: Lamport clocks")
struct SerfLayerClockTests {
  @Test("a clock witnessing a time at or past its own moves one beyond it, and ignores older times")
  func witness() {
    var clock = LamportClock(time: 5)
    clock.witness(3)
    #expect(clock.time == 5)
    clock.witness(5)
    #expect(clock.time == 6)
    clock.witness(10)
    #expect(clock.time == 11)
    #expect(clock.increment() == 12)
  }

  @Test("a clock saturates at the top instead of trapping")
  func saturation() {
    // Started near the top: a single witness may only jump 2^32 ahead.
    var clock = LamportClock(time: .max - 10)
    clock.witness(.max)
    #expect(clock.time == .max)
    clock.increment()
    #expect(clock.time == .max)
    clock.witnessRemoteClock(.max)
    #expect(clock.time == .max)
  }

  @Test("a new layer starts every clock at 1 and lists itself alive at status time 0")
  func start() throws {
    let layer = try SerfLayer(name: "me")
    #expect(layer.memberClock.time == 1)
    #expect(layer.eventClock.time == 1)
    #expect(layer.queryClock.time == 1)
    #expect(layer.status(of: "me") == .alive)
    #expect(layer.statusTime(of: "me") == 0)
    #expect(layer.statuses == ["me": .alive])
  }

  @Test("a join intent carries the current member time, and the clock moves past it")
  func joinIntentTime() throws {
    var layer = try makeLayer()
    let made = layer.joinIntent()
    let intent = try #require(made)
    #expect(Serf.decode(intent) == .join(SerfJoin(lamportTime: 1, node: "me")))
    #expect(layer.memberClock.time == 2)
    #expect(layer.statusTime(of: "me") == 1)
    let madeAgain = layer.joinIntent()
    let second = try #require(madeAgain)
    #expect(Serf.decode(second) == .join(SerfJoin(lamportTime: 2, node: "me")))
  }

  @Test("a join intent is later than every member time witnessed before it")
  func joinIntentAboveWitnessed() throws {
    var layer = try makeLayer(knowing: ["b"])
    _ = layer.receive(Serf.join("b", at: 41), now: at(1))
    _ = layer.receive(Serf.leave("stranger", at: 77), now: at(1))
    _ = layer.mergeRemoteState(Serf.state(memberTime: 60), join: false, now: at(2))
    let made = layer.joinIntent()
    let intent = try #require(made)
    guard case .join(let join)? = Serf.decode(intent) else {
      Issue.record("not a join intent")
      return
    }
    #expect(join.lamportTime > 77)
    #expect(layer.memberClock.time > join.lamportTime)
  }

  @Test("user events and queries move the event and query clocks, not the member clock")
  func eventsAndQueries() throws {
    var layer = try makeLayer(knowing: ["b"])
    let event = SerfMessage.userEvent(SerfUserEvent(lamportTime: 7, name: "deploy")).encoded()
    let query = SerfMessage.query(SerfQuery(lamportTime: 9, id: 3, name: "ping")).encoded()
    let eventOutcome = layer.receive(event, now: at(1))
    // The event is delivered and re-gossiped (SerfUserEventTests); it
    // changes no member.
    #expect(eventOutcome.changes.isEmpty && eventOutcome.userEvents.count == 1)
    let queryOutcome = layer.receive(query, now: at(1))
    // A query with no address to answer to is re-gossiped, not answered
    // (SerfQueryTests covers queries).
    #expect(queryOutcome.changes.isEmpty && queryOutcome.queries.isEmpty)
    #expect(layer.eventClock.time == 8)
    #expect(layer.queryClock.time == 10)
    #expect(layer.memberClock.time == 1)
    #expect(layer.statuses == ["me": .alive, "b": .alive])
  }

  @Test("merging push-pull state witnesses each remote clock at one below its value")
  func remoteClocks() throws {
    var layer = try makeLayer()
    let batch = SerfEventBatch(lamportTime: 20, events: [SerfEvent(name: "deploy")])
    let outcome = layer.mergeRemoteState(
      Serf.state(memberTime: 10, eventTime: 0, events: [nil, batch, nil], queryTime: 1),
      join: true, now: at(1))
    // The ring's event is delivered (this layer is not joining without
    // replay), never re-gossiped.
    #expect(outcome.broadcasts.isEmpty && outcome.changes.isEmpty)
    #expect(outcome.userEvents.map(\.name) == ["deploy"])
    // 10 − 1 witnessed: the next member time is 10.
    #expect(layer.memberClock.time == 10)
    // A remote zero is not witnessed; the event in the ring is, at 20.
    #expect(layer.eventClock.time == 21)
    // 1 − 1 = 0 is older than our 1.
    #expect(layer.queryClock.time == 1)
  }
}

@Suite("The Serf layer: member statuses")
struct SerfLayerStatusTests {
  @Test("a member memberlist sees is alive, and again after it failed")
  func joinedIsAlive() throws {
    var layer = try makeLayer()
    #expect(
      layer.memberJoined("b", now: at(1))
        == SerfStatusChange(member: "b", previous: nil, current: .alive))
    let seenAgain = layer.memberJoined("b", now: at(2))
    #expect(seenAgain == nil)
    #expect(
      layer.memberFailed("b", now: at(3))
        == SerfStatusChange(member: "b", previous: .alive, current: .failed))
    #expect(
      layer.memberJoined("b", now: at(4))
        == SerfStatusChange(member: "b", previous: .failed, current: .alive))
    #expect(layer.failedMembers.isEmpty)
  }

  @Test("a member lost after its leave intent is left, one lost without it has failed")
  func lostMembers() throws {
    var layer = try makeLayer(knowing: ["b", "c", "d"])
    _ = layer.receive(Serf.leave("b", at: 5), now: at(1))
    #expect(layer.status(of: "b") == .leaving)
    let bLost = layer.memberLeft("b", now: at(2))
    #expect(bLost == SerfStatusChange(member: "b", previous: .leaving, current: .left))
    let cLost = layer.memberLeft("c", now: at(2))
    #expect(cLost == SerfStatusChange(member: "c", previous: .alive, current: .failed))
    let dLost = layer.memberFailed("d", now: at(2))
    #expect(dLost?.current == .failed)
    #expect(layer.failedMembers == ["c", "d"])
    // memberlist reporting a gone member again changes nothing.
    let bLostAgain = layer.memberFailed("b", now: at(3))
    #expect(bLostAgain == nil)
    let unknownLost = layer.memberLeft("unknown", now: at(3))
    #expect(unknownLost == nil)
  }

  @Test("a leave intent moves alive to leaving and failed to left, and is re-gossiped")
  func leaveIntents() throws {
    var layer = try makeLayer(knowing: ["b", "c"])
    _ = layer.memberFailed("c", now: at(1))
    let toB = Serf.leave("b", at: 3)
    let outcomeB = layer.receive(toB, now: at(2))
    #expect(outcomeB.broadcasts == [toB])
    #expect(
      outcomeB.changes == [SerfStatusChange(member: "b", previous: .alive, current: .leaving)])
    let outcomeC = layer.receive(Serf.leave("c", at: 3), now: at(2))
    #expect(outcomeC.changes == [SerfStatusChange(member: "c", previous: .failed, current: .left)])
    #expect(layer.statusTime(of: "b") == 3)
    #expect(layer.statusTime(of: "c") == 3)
    #expect(layer.memberClock.time == 4)
  }

  @Test("a leave intent arriving after memberlist's dead still ends in left")
  func leaveAfterDead() throws {
    var layer = try makeLayer(knowing: ["b"])
    let lost = layer.memberLeft("b", now: at(1))
    #expect(lost?.current == .failed)
    let outcome = layer.receive(Serf.leave("b", at: 2), now: at(1.1))
    #expect(outcome.changes == [SerfStatusChange(member: "b", previous: .failed, current: .left)])
    #expect(layer.status(of: "b") == .left)
    #expect(layer.failedMembers.isEmpty)
  }

  @Test(
    "intents apply only when later than the member's status time, and only then are re-gossiped")
  func statusTimeOrder() throws {
    var layer = try makeLayer(knowing: ["b"])
    let join5 = Serf.join("b", at: 5)
    let first = layer.receive(join5, now: at(1))
    #expect(first.broadcasts == [join5])
    #expect(layer.statusTime(of: "b") == 5)
    let repeated = layer.receive(join5, now: at(1))
    #expect(repeated.isEmpty)
    let olderLeave = layer.receive(Serf.leave("b", at: 4), now: at(1))
    #expect(olderLeave.isEmpty)
    let equalLeave = layer.receive(Serf.leave("b", at: 5), now: at(1))
    #expect(equalLeave.isEmpty)
    #expect(layer.status(of: "b") == .alive)
    #expect(layer.counters.intentsStale == 3)
    let leave6 = Serf.leave("b", at: 6)
    let laterLeave = layer.receive(leave6, now: at(1))
    #expect(laterLeave.broadcasts == [leave6])
    #expect(layer.status(of: "b") == .leaving)
    #expect(layer.counters.intentsApplied == 2)
  }

  @Test("a later join intent brings a leaving member back to alive but not a failed one")
  func joinAfterLeave() throws {
    var layer = try makeLayer(knowing: ["b", "c"])
    _ = layer.receive(Serf.leave("b", at: 3), now: at(1))
    let outcome = layer.receive(Serf.join("b", at: 4), now: at(1))
    #expect(outcome.changes == [SerfStatusChange(member: "b", previous: .leaving, current: .alive)])
    _ = layer.memberFailed("c", now: at(1))
    let failed = layer.receive(Serf.join("c", at: 9), now: at(1))
    #expect(failed.changes.isEmpty)
    #expect(failed.broadcasts.count == 1)
    #expect(layer.status(of: "c") == .failed)
    #expect(layer.statusTime(of: "c") == 9)
  }

  @Test("a leave intent about an unknown member is kept, so memberlist's join makes it leaving")
  func bufferedLeave() throws {
    var layer = try makeLayer()
    let leave = Serf.leave("b", at: 8)
    let first = layer.receive(leave, now: at(0))
    #expect(first.broadcasts == [leave])
    #expect(layer.status(of: "b") == nil)
    // Only the first copy is news.
    let again = layer.receive(leave, now: at(1))
    #expect(again.isEmpty)
    #expect(layer.counters.intentsBuffered == 1)
    let joined = layer.memberJoined("b", now: at(2))
    #expect(joined?.current == .leaving)
    #expect(layer.statusTime(of: "b") == 8)
    let lost = layer.memberLeft("b", now: at(3))
    #expect(lost?.current == .left)
  }

  @Test("a join intent about an unknown member is kept and gives the member its status time")
  func bufferedJoin() throws {
    var layer = try makeLayer()
    _ = layer.receive(Serf.join("b", at: 12), now: at(0))
    let joinedB = layer.memberJoined("b", now: at(1))
    #expect(joinedB == SerfStatusChange(member: "b", previous: nil, current: .alive))
    #expect(layer.statusTime(of: "b") == 12)
    // A later buffered leave replaces an earlier buffered join.
    _ = layer.receive(Serf.join("c", at: 3), now: at(0))
    _ = layer.receive(Serf.leave("c", at: 4), now: at(0))
    _ = layer.receive(Serf.join("c", at: 2), now: at(0))
    let joinedC = layer.memberJoined("c", now: at(1))
    #expect(joinedC?.current == .leaving)
    #expect(layer.statusTime(of: "c") == 4)
  }

  @Test("a buffered intent is forgotten after five minutes")
  func intentExpiry() throws {
    var layer = try makeLayer()
    _ = layer.receive(Serf.leave("b", at: 8), now: at(0))
    _ = layer.receive(Serf.leave("c", at: 8), now: at(0))
    let joinedB = layer.memberJoined("b", now: at(299))
    #expect(joinedB?.current == .leaving)
    let joinedC = layer.memberJoined("c", now: at(301))
    #expect(joinedC?.current == .alive)
    #expect(layer.statusTime(of: "c") == 0)
    // The reaper drops it too, and then has nothing left to wake up for.
    #expect(layer.nextDeadline == at(15))
    var now = at(0)
    while let deadline = layer.nextDeadline, deadline <= at(400) {
      now = deadline
      _ = layer.tick(now: now)
    }
    #expect(layer.intents.isEmpty)
    #expect(layer.nextDeadline == nil)
    #expect(now > at(300))
  }

  @Test("the intent buffer is bounded and drops its oldest intent when full")
  func boundedBuffer() throws {
    var settings = SerfSettings()
    settings.intentBufferLimit = 2
    var layer = try makeLayer(settings: settings)
    _ = layer.receive(Serf.leave("a", at: 5), now: at(0))
    _ = layer.receive(Serf.leave("b", at: 5), now: at(1))
    let third = layer.receive(Serf.leave("c", at: 5), now: at(2))
    #expect(third.broadcasts.count == 1)
    #expect(layer.intents.count == 2)
    #expect(layer.counters.intentsEvicted == 1)
    let joinedA = layer.memberJoined("a", now: at(3))
    #expect(joinedA?.current == .alive)
    let joinedB = layer.memberJoined("b", now: at(3))
    #expect(joinedB?.current == .leaving)
    let joinedC = layer.memberJoined("c", now: at(3))
    #expect(joinedC?.current == .leaving)
    // Thousands of made-up names never grow it past the bound.
    for index in 0..<5_000 { _ = layer.receive(Serf.join("x\(index)", at: 1), now: at(4)) }
    #expect(layer.intents.count == 2)
  }

  @Test("a leave intent about ourselves while alive is refuted with a later join intent")
  func refutation() throws {
    var layer = try makeLayer(knowing: ["b"])
    _ = layer.joinIntent()
    let outcome = layer.receive(Serf.leave("me", at: 10), now: at(1))
    #expect(outcome.changes.isEmpty)
    #expect(outcome.broadcasts.count == 1)
    guard case .join(let join)? = outcome.broadcasts.first.flatMap(Serf.decode) else {
      Issue.record("the refutation is not a join intent")
      return
    }
    #expect(join.node == "me")
    #expect(join.lamportTime > 10)
    #expect(layer.status(of: "me") == .alive)
    #expect(layer.statusTime(of: "me") == join.lamportTime)
    #expect(layer.counters.refutations == 1)
    // The same leave again is older than our join now: no second refutation.
    let again = layer.receive(Serf.leave("me", at: 10), now: at(2))
    #expect(again.isEmpty)
  }

  @Test("our own leave intent is stamped with the current time and makes us leaving, then left")
  func ownLeave() throws {
    var layer = try makeLayer(knowing: ["b"])
    _ = layer.joinIntent()
    #expect(layer.hasAliveMembers)
    let made = layer.leaveIntent()
    let intent = try #require(made)
    #expect(Serf.decode(intent) == .leave(SerfLeave(lamportTime: 2, node: "me", prune: false)))
    #expect(layer.memberClock.time == 3)
    #expect(layer.status(of: "me") == .leaving)
    #expect(layer.isLeaving)
    // Our own intent gossiped back to us is old news, not something to refute.
    let echo = layer.receive(intent, now: at(1))
    #expect(echo.isEmpty)
    // A later one is not refuted either, since we are leaving.
    let laterLeave = layer.receive(Serf.leave("me", at: 9), now: at(1))
    #expect(laterLeave.broadcasts.count == 1)
    let secondLeave = layer.leaveIntent()
    #expect(secondLeave == nil)
    let rejoin = layer.joinIntent()
    #expect(rejoin == nil)
    let lost = layer.memberLeft("me", now: at(2))
    #expect(lost?.current == .left)
  }

  @Test("a fresh node's join and leave intents are byte for byte a Serf agent's")
  func intentBytesMatchCapture() throws {
    var layer = try SerfLayer(name: "cap-b")
    // Frames 12 and 79 of serf-2node-plain.jsonl, after the 0x08 user
    // message byte.
    let join = layer.joinIntent()
    #expect(join == (try bytes("0182a54c54696d6501a44e6f6465a56361702d62")))
    let leave = layer.leaveIntent()
    #expect(leave == (try bytes("0083a54c54696d6502a44e6f6465a56361702d62a55072756e65c2")))
  }

  @Test("a force-leave makes a failed member left and gossips the intent")
  func forceLeave() throws {
    var layer = try makeLayer(knowing: ["b"])
    _ = layer.memberFailed("b", now: at(1))
    let outcome = layer.forceLeaveIntent("b", prune: false, now: at(2))
    #expect(outcome.changes == [SerfStatusChange(member: "b", previous: .failed, current: .left)])
    #expect(outcome.broadcasts.map(Serf.decode) == [.leave(SerfLeave(lamportTime: 1, node: "b"))])
    #expect(layer.memberClock.time == 2)
  }

  @Test("a pruning leave forgets a failed member at once and a leaving one after the prune delay")
  func prune() throws {
    var layer = try makeLayer(knowing: ["b", "c"])
    _ = layer.memberFailed("b", now: at(1))
    let failed = layer.receive(Serf.leave("b", at: 4, prune: true), now: at(2))
    #expect(
      failed.changes == [
        SerfStatusChange(member: "b", previous: .failed, current: .left),
        SerfStatusChange(member: "b", previous: .left, current: nil),
      ])
    #expect(failed.broadcasts.count == 1)
    #expect(layer.status(of: "b") == nil)

    let alive = layer.receive(Serf.leave("c", at: 5, prune: true), now: at(10))
    #expect(alive.changes == [SerfStatusChange(member: "c", previous: .alive, current: .leaving)])
    #expect(layer.nextDeadline == at(16))
    let early = layer.tick(now: at(15.9))
    #expect(early.isEmpty)
    let due = layer.tick(now: at(16))
    #expect(due == [SerfStatusChange(member: "c", previous: .leaving, current: nil)])
    #expect(layer.status(of: "c") == nil)
    #expect(layer.counters.membersForgotten == 2)
    // Nobody prunes us: we stay a member.
    _ = layer.receive(Serf.leave("me", at: 50, prune: true), now: at(20))
    #expect(layer.status(of: "me") == .alive)
  }

  @Test(
    "the reaper forgets failed members after the reconnect timeout and left ones after the tombstone timeout"
  )
  func reaping() throws {
    var settings = SerfSettings()
    settings.reconnectTimeout = .seconds(60)
    settings.tombstoneTimeout = .seconds(120)
    var layer = try makeLayer(knowing: ["failed", "left", "alive"], settings: settings)
    #expect(layer.nextDeadline == nil)
    _ = layer.memberFailed("failed", now: at(0))
    _ = layer.receive(Serf.leave("left", at: 3), now: at(0))
    _ = layer.memberLeft("left", now: at(0))
    var forgotten: [SerfStatusChange] = []
    var now = at(0)
    while let deadline = layer.nextDeadline, deadline <= at(1000) {
      now = deadline
      forgotten += layer.tick(now: now).map { change in
        #expect(change.current == nil)
        return change
      }
      if now == at(60) { #expect(layer.status(of: "failed") == .failed) }
      if now == at(75) { #expect(layer.status(of: "failed") == nil) }
    }
    #expect(forgotten.map(\.member) == ["failed", "left"])
    #expect(layer.statuses == ["me": .alive, "alive": .alive])
    // Reaped at the first run after each timeout, then nothing to wake up for.
    #expect(now == at(135))
    #expect(layer.nextDeadline == nil)
  }
}

@Suite("The Serf layer: push-pull state")
struct SerfLayerPushPullTests {
  @Test(
    "our state decodes as Serf push-pull with 512 empty event slots, every status time and the left members"
  )
  func localState() throws {
    var layer = try makeLayer(knowing: ["b", "c", "d"])
    _ = layer.joinIntent()
    _ = layer.receive(Serf.join("b", at: 7), now: at(1))
    _ = layer.receive(Serf.leave("c", at: 9), now: at(1))
    _ = layer.memberLeft("c", now: at(2))
    _ = layer.memberFailed("d", now: at(2))
    let state = try #require(Serf.decodeState(layer.localState()))
    #expect(state.events.count == 512)
    #expect(state.events.allSatisfy { $0 == nil })
    #expect(state.statusLamportTimes == ["me": 1, "b": 7, "c": 9, "d": 0])
    #expect(state.leftMembers == ["c"])
    #expect(state.lamportTime == layer.memberClock.time)
    #expect(state.eventLamportTime == 1)
    #expect(state.queryLamportTime == 1)
  }

  @Test("a fresh layer's state is byte for byte the state a fresh Serf agent sends")
  func stateMatchesCapture() throws {
    let layer = try SerfLayer(name: "cap-a")
    #expect(layer.localState() == (try capturedState(of: "cap-a")))
  }

  @Test("the state a real Serf agent sent merges cleanly, and its member joins at its status time")
  func mergeCapturedState() throws {
    var layer = try SerfLayer(name: "cap-a")
    let state = try capturedState()
    #expect(state.count == 589)
    let outcome = layer.mergeRemoteState(state, join: true, now: at(0))
    #expect(outcome.isEmpty)
    #expect(layer.counters.malformed == 0)
    #expect(layer.memberClock.time == 1)
    #expect(layer.eventClock.time == 1)
    #expect(layer.queryClock.time == 1)
    let joined = layer.memberJoined("cap-b", now: at(0.1))
    #expect(joined?.current == .alive)
    #expect(layer.statusTime(of: "cap-b") == 0)
    // Its join intent (LTime 1) then applies and is re-gossiped.
    let join = try bytes("0182a54c54696d6501a44e6f6465a56361702d62")
    let regossiped = layer.receive(join, now: at(0.2))
    #expect(regossiped.broadcasts == [join])
    #expect(layer.statusTime(of: "cap-b") == 1)
  }

  @Test("merged left members count as leave intents one past their status time, before any join")
  func mergeLeftMembers() throws {
    var layer = try makeLayer(knowing: ["b", "c", "d"])
    _ = layer.memberFailed("c", now: at(1))
    let outcome = layer.mergeRemoteState(
      Serf.state(memberTime: 20, statusTimes: ["b": 3, "c": 4, "d": 6, "e": 2], left: ["b", "c"]),
      join: false, now: at(2))
    #expect(outcome.broadcasts.isEmpty)
    #expect(
      outcome.changes == [
        SerfStatusChange(member: "b", previous: .alive, current: .leaving),
        SerfStatusChange(member: "c", previous: .failed, current: .left),
      ])
    #expect(layer.statusTime(of: "b") == 4)
    #expect(layer.statusTime(of: "c") == 5)
    #expect(layer.statusTime(of: "d") == 6)
    let lost = layer.memberLeft("b", now: at(3))
    #expect(lost?.current == .left)
    // "e" is not known yet: its join time waits in the buffer.
    _ = layer.memberJoined("e", now: at(3))
    #expect(layer.statusTime(of: "e") == 2)
  }

  @Test("merging re-gossips nothing but still refutes a leave about ourselves")
  func mergeRefutes() throws {
    var layer = try makeLayer(knowing: ["b"])
    _ = layer.joinIntent()
    let outcome = layer.mergeRemoteState(
      Serf.state(memberTime: 9, statusTimes: ["me": 5, "b": 2], left: ["me"]), join: false,
      now: at(1))
    #expect(outcome.changes.isEmpty)
    #expect(outcome.broadcasts.count == 1)
    guard case .join(let join)? = outcome.broadcasts.first.flatMap(Serf.decode) else {
      Issue.record("the refutation is not a join intent")
      return
    }
    #expect(join.lamportTime > 6)
    #expect(layer.status(of: "me") == .alive)
  }

  @Test("one layer's state merged into another gives the same statuses and status times")
  func roundTrip() throws {
    var first = try makeLayer(knowing: ["b", "c"])
    _ = first.joinIntent()
    _ = first.receive(Serf.join("b", at: 4), now: at(1))
    _ = first.receive(Serf.leave("c", at: 6), now: at(1))
    _ = first.memberLeft("c", now: at(2))

    var second = try SerfLayer(name: "b")
    _ = second.mergeRemoteState(first.localState(), join: true, now: at(3))
    for name in ["me", "c"] { _ = second.memberJoined(name, now: at(3)) }
    #expect(second.statusTime(of: "me") == 1)
    #expect(second.statusTime(of: "b") == 4)
    // c's leave waited in the buffer for memberlist to show c: it is
    // leaving until memberlist's own leave arrives.
    #expect(second.status(of: "c") == .leaving)
    #expect(second.statusTime(of: "c") == 7)
    let lost = second.memberLeft("c", now: at(4))
    #expect(lost?.current == .left)
    #expect(second.memberClock.time >= first.memberClock.time - 1)
  }
}

@Suite("The Serf layer: bad bytes")
struct SerfLayerBadBytesTests {
  @Test("malformed Serf messages are counted and come back as errors")
  func malformedMessages() throws {
    var layer = try makeLayer(knowing: ["b"])
    let valid = Serf.leave("b", at: 5)
    let inputs: [[UInt8]] = [
      [], [0x00], [0x01], [0x00, 0xff], [0x01, 0x81], Array(valid.dropLast(3)),
      [0x03, 0x81, 0xa5] + Array("LTime".utf8) + [0xa3, 0x61, 0x62, 0x63],
    ]
    for input in inputs {
      let outcome = layer.receive(input, now: at(1))
      #expect(outcome.error != nil, "\(input)")
      #expect(outcome.broadcasts.isEmpty && outcome.changes.isEmpty)
    }
    #expect(layer.counters.malformed == inputs.count)
    #expect(layer.status(of: "b") == .alive)
    #expect(layer.memberClock.time == 1)
  }

  @Test("unknown Serf types, push-pull state and stray responses are skipped without error")
  func unknownTypes() throws {
    var layer = try makeLayer()
    let response = SerfMessage.queryResponse(SerfQueryResponse(lamportTime: 3, id: 1, from: "b"))
    for input in [[0x42, 0x01, 0x02], [0x06, 0x80], response.encoded(), Serf.state()] {
      let outcome = layer.receive(input, now: at(1))
      #expect(outcome.isEmpty)
    }
    // The response answers no query of ours: counted as such.
    #expect(layer.counters.ignored == 3)
    #expect(layer.counters.queryRepliesIgnored == 1)
    #expect(layer.counters.malformed == 0)
  }

  @Test("remote state that is empty, of another type or malformed is counted and dropped")
  func malformedStates() throws {
    var layer = try makeLayer()
    for input in [[], Serf.join("b", at: 3), [0x02, 0x81], Array(Serf.state().dropLast(2))] {
      let outcome = layer.mergeRemoteState(input, join: false, now: at(1))
      #expect(outcome.error != nil)
      #expect(outcome.changes.isEmpty && outcome.broadcasts.isEmpty)
    }
    #expect(layer.counters.malformed == 4)
    #expect(layer.statuses == ["me": .alive])
  }

  @Test("thousands of random and mutated inputs never trap and leave the layer consistent")
  func randomInputs() throws {
    var layer = try makeLayer(knowing: ["b", "c"])
    var random = SplitMix64(seed: 7)
    let seeds = [
      Serf.join("b", at: 3), Serf.leave("c", at: 4, prune: true), Serf.state(statusTimes: ["x": 9]),
      SerfMessage.userEvent(SerfUserEvent(lamportTime: 2, name: "e", payload: [1])).encoded(),
    ]
    for round in 0..<20_000 {
      var input = seeds[random.below(seeds.count)]
      if round % 3 == 0 {
        input = (0..<random.below(40)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      } else {
        for _ in 0...random.below(4) where !input.isEmpty {
          input[random.below(input.count)] = UInt8(truncatingIfNeeded: random.next())
        }
        input = Array(input.prefix(random.below(input.count + 1)))
      }
      if round.isMultiple(of: 2) {
        _ = layer.receive(input, now: at(Double(round) / 100))
      } else {
        _ = layer.mergeRemoteState(input, join: false, now: at(Double(round) / 100))
      }
      _ = layer.tick(now: at(Double(round) / 100))
    }
    #expect(layer.counters.malformed > 0)
    #expect(layer.status(of: "me") != nil)
    #expect(layer.intents.count <= layer.settings.intentBufferLimit)
    let state = try #require(Serf.decodeState(layer.localState()))
    #expect(state.statusLamportTimes.count == layer.statuses.count)
  }

  @Test("settings that make no sense and an empty name are error values")
  func invalidSettings() {
    var settings = SerfSettings()
    settings.reapInterval = .zero
    settings.intentBufferLimit = 0
    settings.tombstoneTimeout = .seconds(-1)
    #expect(throws: SettingsError.self) { try SerfLayer(name: "me", settings: settings) }
    #expect(throws: SettingsError.self) { try SerfLayer(name: "") }
    do {
      try settings.validate()
    } catch {
      #expect(error.problems.count == 3)
    }
  }
}
