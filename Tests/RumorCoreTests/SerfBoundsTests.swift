import RumorWire
import Testing

@testable import RumorCore

/// What a peer's Serf state can cost a node.
@Suite("Serf bounds")
struct SerfBoundsTests {
  @Test("a full intent buffer evicts the oldest intent, in arrival order")
  func evictsOldest() {
    var buffer = SerfIntentBuffer(capacity: 3, lifetime: .seconds(300))
    _ = buffer.upsert(.join, about: "a", at: 1, now: at(1))
    _ = buffer.upsert(.join, about: "b", at: 1, now: at(2))
    _ = buffer.upsert(.join, about: "c", at: 1, now: at(3))
    // A later intent about "a" makes it the newest.
    _ = buffer.upsert(.leave, about: "a", at: 2, now: at(4))
    #expect(buffer.upsert(.join, about: "d", at: 1, now: at(5)) == .stored(evicted: true))
    #expect(buffer.recent(.join, about: "b", now: at(5)) == nil)
    #expect(buffer.recent(.leave, about: "a", now: at(5)) == 2)
    #expect(buffer.count == 3)
    // Expired intents make room before anything live is evicted.
    #expect(buffer.upsert(.join, about: "e", at: 1, now: at(303.5)) == .stored(evicted: false))
    #expect(buffer.recent(.join, about: "c", now: at(303.5)) == nil)
    #expect(buffer.recent(.leave, about: "a", now: at(303.5)) == 2)
  }

  @Test("one name updated many times keeps the buffer small")
  func repeatedUpdates() {
    var buffer = SerfIntentBuffer(capacity: 4, lifetime: .seconds(300))
    for time in 1...10_000 {
      _ = buffer.upsert(.join, about: "a", at: UInt64(time), now: at(1))
    }
    #expect(buffer.count == 1)
    #expect(buffer.recent(.join, about: "a", now: at(1)) == 10_000)
  }

  /// How long `count` intents about new names take through a buffer of
  /// `capacity`, and how many it keeps.
  static func flood(capacity: Int, count: Int) -> (Duration, Int) {
    var buffer = SerfIntentBuffer(capacity: capacity, lifetime: .seconds(300))
    let clock = ContinuousClock()
    let started = clock.now
    for index in 0..<count {
      _ = buffer.upsert(.join, about: "x\(index)", at: 1, now: at(Double(index) / 1_000))
    }
    return (clock.now - started, buffer.count)
  }

  @Test("100,000 intents about unknown names through a full buffer stay O(1) each")
  func floodOfUnknownNames() {
    // Timed against a buffer 64 times smaller, so that a busy machine
    // slows both alike. Before, every upsert into a full buffer rebuilt
    // and scanned it: the large one took about 64 times longer.
    let (small, _) = Self.flood(capacity: 64, count: 100_000)
    let (large, kept) = Self.flood(capacity: 4096, count: 100_000)
    #expect(kept == 4096)
    #expect(large < small * 8, "capacity 4,096: \(large), capacity 64: \(small)")
  }

  @Test("merging a push-pull of 100,000 unknown status times keeps the buffer bounded")
  func mergeUnknownStatusTimes() throws {
    var layer = try SerfLayer(name: "me")
    var times: [String: UInt64] = [:]
    for index in 0..<100_000 { times["ghost-\(index)"] = UInt64(index + 2) }
    let state = SerfMessage.pushPull(SerfPushPull(lamportTime: 5, statusLamportTimes: times))
      .encoded()
    _ = layer.mergeRemoteState(state, join: false, now: at(1))
    #expect(layer.intents.count == layer.settings.intentBufferLimit)
    #expect(layer.counters.intentsEvicted == 100_000 - layer.settings.intentBufferLimit)
  }
}

/// One message cannot push a Lamport clock to the end of its range.
@Suite("Lamport clock jumps")
struct LamportJumpTests {
  static func layer() throws -> SerfLayer {
    var layer = try SerfLayer(name: "me")
    _ = layer.memberJoined("b", now: at(0))
    return layer
  }

  @Test("a witness more than 2^32 ahead is refused; up to 2^32 is followed")
  func clockRule() {
    var clock = LamportClock(time: 10)
    let huge = clock.witness(.max - 1)
    #expect(!huge)
    #expect(clock.time == 10)
    let remote = clock.witnessRemoteClock(10 + LamportClock.maximumJump + 2)
    #expect(!remote)
    #expect(clock.time == 10)
    let largest = clock.witness(10 + LamportClock.maximumJump)
    #expect(largest)
    #expect(clock.time == 11 + LamportClock.maximumJump)
    let older = clock.witness(3)
    #expect(older)
  }

  @Test("a join intent stamped near 2^64 is dropped and counted; later real intents still apply")
  func intent() throws {
    var layer = try Self.layer()
    let before = layer.memberClock.time
    let outcome = layer.receive(
      SerfMessage.join(SerfJoin(lamportTime: .max - 1, node: "b")).encoded(), now: at(1))
    #expect(outcome.broadcasts.isEmpty)
    #expect(layer.memberClock.time == before)
    #expect(layer.counters.implausibleTimes == 1)
    #expect(layer.statusTime(of: "b") != .max - 1)
    // Before, the member's status time stuck at 2^64 - 2 and this was stale.
    _ = layer.receive(
      SerfMessage.leave(SerfLeave(lamportTime: 20, node: "b")).encoded(), now: at(2))
    #expect(layer.status(of: "b") == .leaving)
    // The same for a leave, and for user events and queries.
    _ = layer.receive(
      SerfMessage.leave(SerfLeave(lamportTime: .max, node: "c")).encoded(), now: at(3))
    _ = layer.receive(
      SerfMessage.userEvent(SerfUserEvent(lamportTime: .max, name: "e")).encoded(), now: at(3))
    _ = layer.receive(
      SerfMessage.query(SerfQuery(lamportTime: 1 << 62, name: "q")).encoded(), now: at(3))
    #expect(layer.eventClock.time < 100)
    #expect(layer.queryClock.time < 100)
    #expect(layer.counters.implausibleTimes == 4)
  }

  @Test("push-pull state with clocks and times near 2^64 moves no clock")
  func pushPull() throws {
    var layer = try Self.layer()
    let state = SerfMessage.pushPull(
      SerfPushPull(
        lamportTime: .max, statusLamportTimes: ["b": .max - 5, "x": 7], eventLamportTime: .max,
        events: [SerfEventBatch(lamportTime: .max - 1, events: [SerfEvent(name: "e")])],
        queryLamportTime: 1 << 60)
    ).encoded()
    _ = layer.mergeRemoteState(state, join: false, now: at(1))
    #expect(layer.memberClock.time < 100)
    #expect(layer.eventClock.time < 100)
    #expect(layer.queryClock.time < 100)
    #expect(layer.statusTime(of: "b") == 0)
    #expect(layer.counters.implausibleTimes == 5)
  }
}
