import Testing

@testable import RumorWire

@Suite("Serf tags and messages")
struct SerfTests {
  @Test("tags encode with the magic byte, keys sorted, and decode back")
  func tagsRoundTrip() throws {
    #expect(try SerfTags.encode(["role": "web"]) == hex("ff81a4726f6c65a3776562"))
    #expect(try SerfTags.encode([:]) == [0xff, 0x80])
    let tags = ["svc.redis": "redis://:6379", "health.redis": "passing", "dc": "lab"]
    #expect(try SerfTags.decode(try SerfTags.encode(tags)) == tags)
  }

  @Test("meta without the magic byte is an old Serf role; empty meta has no tags")
  func legacyMeta() throws {
    #expect(try SerfTags.decode(Array("db".utf8)) == ["role": "db"])
    #expect(try SerfTags.decode([]) == [:])
  }

  @Test("tags over 512 bytes are refused with a clear error")
  func metaLimit() {
    let tags = ["big": String(repeating: "x", count: 510)]
    do {
      _ = try SerfTags.encode(tags)
      Issue.record("encoded oversized tags")
    } catch {
      #expect(error.kind == .encoding)
      #expect(error.reason.contains("512"))
    }
    let fits = ["k": String(repeating: "x", count: 400)]
    #expect((try? SerfTags.encode(fits)) != nil)
  }

  static let serfMessages: [SerfMessage] = [
    .leave(SerfLeave(lamportTime: 2, node: "cap-b", prune: false)),
    .join(SerfJoin(lamportTime: 1, node: "cap-b")),
    .userEvent(SerfUserEvent(lamportTime: 5, name: "deploy", payload: [1, 2], coalesce: true)),
    .query(
      SerfQuery(
        lamportTime: 3, id: 77, addr: [127, 0, 0, 1], port: 7946, sourceNode: "a",
        filters: [[0, 0x91, 0xa1, 0x61]], flags: SerfQuery.ackFlag, relayFactor: 1,
        timeoutNanoseconds: 5_000_000_000, name: "_serf_ping", payload: [])),
    .queryResponse(SerfQueryResponse(lamportTime: 3, id: 77, from: "b", flags: 1, payload: [9])),
    .pushPull(
      SerfPushPull(
        lamportTime: 4, statusLamportTimes: ["a": 1, "b": 3], leftMembers: ["c"],
        eventLamportTime: 2,
        events: [
          nil, SerfEventBatch(lamportTime: 1, events: [SerfEvent(name: "e", payload: [1])]), nil,
        ],
        queryLamportTime: 1)),
    .relay(
      SerfRelay(
        address: [127, 0, 0, 1], port: 7946, zone: "", destinationName: "b",
        inner: SerfMessage.join(SerfJoin(lamportTime: 1, node: "x")).encoded())),
    .other(type: 7, body: [0x81, 0xa3, 0x4b, 0x65, 0x79, 0xc0]),
  ]

  @Test("every Serf message type round-trips", arguments: serfMessages)
  func roundTrip(message: SerfMessage) throws {
    for style in [GoIntStyle.legacy, .current] {
      let bytes = message.encoded(intStyle: style)
      #expect(try SerfMessage(decoding: bytes[...]) == message)
      let user = UserMessage(payload: bytes)
      #expect(try user.serfMessage() == message)
    }
  }

  @Test("the captured leave intent encodes to the captured bytes")
  func goldenLeave() {
    let leave = SerfMessage.leave(SerfLeave(lamportTime: 2, node: "cap-b"))
    #expect(
      Message.user(UserMessage(payload: leave.encoded())).encoded()
        == hex("080083a54c54696d6502a44e6f6465a56361702d62a55072756e65c2"))
  }
}
