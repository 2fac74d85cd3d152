import RumorWire
import Testing

@testable import RumorCore

@Suite("Serf user events in the layer")
struct SerfUserEventTests {
  func event(_ time: UInt64, _ name: String, _ payload: String = "") -> [UInt8] {
    SerfMessage.userEvent(
      SerfUserEvent(lamportTime: time, name: name, payload: Array(payload.utf8), coalesce: false)
    ).encoded()
  }

  @Test("a new event is delivered and re-gossiped once; a repeat is neither")
  func newEventDeliveredOnce() throws {
    var serf = try SerfLayer(name: "me")
    let first = serf.receive(event(5, "deploy", "v1"), now: at(0))
    #expect(first.userEvents.map(\.name) == ["deploy"])
    #expect(first.broadcasts == [event(5, "deploy", "v1")])
    let again = serf.receive(event(5, "deploy", "v1"), now: at(1))
    #expect(again.userEvents.isEmpty && again.broadcasts.isEmpty)
    // Same time, other payload: another event.
    #expect(serf.receive(event(5, "deploy", "v2"), now: at(1)).userEvents.count == 1)
    #expect(serf.counters.userEventsRepeated == 1)
    #expect(serf.eventClock.time == 6)
  }

  @Test("an event older than the ring reaches back is dropped")
  func oldEventDropped() throws {
    var settings = SerfSettings()
    settings.eventBufferSize = 4
    var serf = try SerfLayer(name: "me", settings: settings)
    _ = serf.receive(event(20, "late"), now: at(0))
    #expect(serf.receive(event(10, "old"), now: at(0)).userEvents.isEmpty)
    #expect(serf.counters.userEventsTooOld == 1)
  }

  @Test("sending stamps the event clock, delivers locally, and refuses oversized events")
  func sendingAnEvent() throws {
    var serf = try SerfLayer(name: "me")
    let time = serf.eventClock.time
    let outcome = try serf.userEvent(name: "deploy", payload: Array("v1".utf8), coalesce: true)
    #expect(outcome.userEvents.first?.lamportTime == time)
    #expect(outcome.userEvents.first?.coalesce == true)
    #expect(serf.eventClock.time == time + 1)
    #expect(outcome.broadcasts.count == 1)
    // Its own event coming back by gossip is a repeat.
    #expect(serf.receive(outcome.broadcasts[0], now: at(1)).userEvents.isEmpty)
    #expect(throws: UserEventError.self) {
      _ = try serf.userEvent(name: "big", payload: Array(repeating: 1, count: 600), coalesce: false)
    }
  }

  @Test("push-pull state carries the ring: missed events are delivered, unless a join ignores them")
  func pushPullReplaysEvents() throws {
    var sender = try SerfLayer(name: "a")
    _ = try sender.userEvent(name: "deploy", payload: [1], coalesce: false)
    let state = sender.localState()

    var missed = try SerfLayer(name: "b")
    let replayed = missed.mergeRemoteState(state, join: false, now: at(0))
    #expect(replayed.userEvents.map(\.name) == ["deploy"])
    #expect(replayed.broadcasts.isEmpty)

    var joiner = try SerfLayer(name: "c")
    joiner.setIgnoresOldEventsOnJoin(true)
    #expect(joiner.mergeRemoteState(state, join: true, now: at(0)).userEvents.isEmpty)
    #expect(joiner.counters.userEventsIgnored == 1)
    joiner.setIgnoresOldEventsOnJoin(false)
    // Events after the join arrive as usual.
    #expect(joiner.receive(event(50, "later"), now: at(1)).userEvents.count == 1)
  }

  @Test("a ClusterNode delivers its own event and gossips it")
  func clusterNodeSendsEvent() throws {
    var node = try ClusterNode(name: "n0", address: address(0), seed: 1)
    _ = node.start(now: at(0))
    let effects = try node.sendUserEvent(name: "deploy", payload: [7], now: at(1))
    #expect(
      effects.contains {
        if case .userEvent(let event) = $0 { event.name == "deploy" } else { false }
      })
    #expect(node.swim.pendingUserMessages == 1)
  }
}
