import Testing

@testable import RumorWire

@Suite("Memberlist messages")
struct MessageTests {
  static let everyMessage: [Message] = [
    .ping(Ping(seqNo: 1, node: "node-b")),
    .ping(
      Ping(
        seqNo: 4_000_000_000, node: "node-b", sourceAddr: [127, 0, 0, 1], sourcePort: 17946,
        sourceNode: "node-a")),
    .indirectPing(
      IndirectPing(
        seqNo: 7, target: [127, 0, 0, 1], port: 7947, node: "node-c", nack: true,
        sourceAddr: [127, 0, 0, 1], sourcePort: 7946, sourceNode: "node-a")),
    .indirectPing(
      IndirectPing(seqNo: 8, target: Array(repeating: 0, count: 16), port: 1, node: "x")),
    .ack(Ack(seqNo: 1)),
    .ack(Ack(seqNo: 2, payload: [1, 0x84, 0xaa])),
    .nack(Nack(seqNo: 99)),
    .suspect(Suspect(incarnation: 3, node: "node-b", from: "node-a")),
    .alive(
      Alive(
        incarnation: 1, node: "node-b", addr: [127, 0, 0, 1], port: 17947,
        meta: hex("ff81a4726f6c65a3776562"), vsn: ProtocolVersions.rumor.bytes)),
    .alive(Alive(incarnation: 9, node: "n", addr: Array(repeating: 1, count: 16), port: 1)),
    .dead(Dead(incarnation: 2, node: "node-b", from: "node-b")),
    .dead(Dead(incarnation: 2, node: "node-b", from: "node-c")),
    .pushPull(
      PushPull(
        join: true,
        states: [
          PushNodeState(
            name: "a", addr: [10, 0, 0, 1], port: 7946, meta: [0xff, 0x80], incarnation: 3,
            state: .left, vsn: ProtocolVersions.rumor.bytes),
          PushNodeState(
            name: "b", addr: [10, 0, 0, 2], port: 7946, incarnation: 1, state: .suspect),
        ], userState: Array(repeating: 7, count: 300))),
    .pushPull(PushPull()),
    .user(UserMessage(payload: [1, 0x82, 0xa5])),
    .user(UserMessage(payload: [])),
    .error(ErrorResponse(error: "remote failure")),
  ]

  @Test("every message type round-trips on both transports", arguments: everyMessage)
  func roundTrip(message: Message) throws {
    for transport in [Message.Transport.packet, .stream] {
      if transport == .packet, [.pushPull, .error].contains(message.type) { continue }
      for style in [GoIntStyle.legacy, .current] {
        let bytes = message.encoded(for: transport, intStyle: style)
        #expect(bytes.first == message.type.rawValue)
        var reader = MessagePackReader(bytes)
        _ = try reader.readByte()
        let decoded = try Message.decodeBody(message.type, from: &reader, transport: transport)
        #expect(decoded == message)
        #expect(reader.isAtEnd)
      }
    }
  }

  @Test("a ping encodes to the captured 69 bytes, keys sorted as Go sorts them")
  func goldenPing() {
    let ping = Message.ping(
      Ping(
        seqNo: 1, node: "node-b", sourceAddr: [127, 0, 0, 1], sourcePort: 17946,
        sourceNode: "node-a"))
    #expect(
      ping.encoded()
        == hex(
          "0085a44e6f6465a66e6f64652d62a55365714e6f01aa536f7572636541646472a47f000001aa536f757263654e6f6465a66e6f64652d61aa536f75726365506f7274cd461a"
        ))
    #expect(
      Message.ping(Ping(seqNo: 1, node: "node-b")).encoded()
        == hex("00 82 a4 4e6f6465 a6 6e6f64652d62 a5 5365714e6f 01"))
  }

  @Test("an indirect ping and a suspect match the reference encodings")
  func goldenIndirectAndSuspect() {
    let indirect = Message.indirectPing(
      IndirectPing(
        seqNo: 7, target: [127, 0, 0, 1], port: 7947, node: "node-c", nack: true,
        sourceAddr: [127, 0, 0, 1], sourcePort: 7946, sourceNode: "node-a"))
    #expect(
      indirect.encoded()
        == hex(
          """
          01 88 a4 4e61636b c3 a4 4e6f6465 a6 6e6f64652d63 a4 506f7274 cd 1f0b a5 5365714e6f 07
          aa 536f7572636541646472 a4 7f000001 aa 536f757263654e6f6465 a6 6e6f64652d61
          aa 536f75726365506f7274 cd 1f0a a6 546172676574 a4 7f000001
          """))
    let suspect = Message.suspect(Suspect(incarnation: 3, node: "node-b", from: "node-a"))
    #expect(
      suspect.encoded()
        == hex(
          "03 83 a4 46726f6d a6 6e6f64652d61 ab 496e6361726e6174696f6e 03 a4 4e6f6465 a6 6e6f64652d62"
        ))
  }

  @Test("an alive without a delegate sends nil meta")
  func aliveWithoutMeta() {
    let bytes = Message.alive(Alive(incarnation: 1, node: "n", addr: [1, 2, 3, 4], port: 1))
      .encoded()
    #expect(bytes.windowed(hex("a4 4d657461 c0")))
  }

  @Test("a push-pull with 200 bytes of user state writes the length as Go 2.x or 0.5 does")
  func pushPullLengthStyles() {
    let message = Message.pushPull(PushPull(userState: Array(repeating: 0, count: 200)))
    #expect(message.encoded(for: .stream, intStyle: .current).windowed(hex("d1 00 c8")))
    #expect(message.encoded(for: .stream, intStyle: .legacy).windowed(hex("cc c8")))
  }

  @Test("a push-pull announcing more states than its bytes could hold is refused")
  func pushPullHostileCount() {
    var writer = MessagePackWriter()
    writer.writeMapHeader(count: 2)
    writer.writeString("Nodes")
    writer.writeGoInt(1_000_000)
    writer.writeString("UserStateLen")
    writer.writeGoInt(0)
    var reader = MessagePackReader(writer.bytes)
    #expect(throws: WireError.self) { try PushPull(from: &reader) }
  }

  @Test("the version vector reads six bytes and refuses fewer")
  func versions() {
    #expect(ProtocolVersions([1, 5, 2, 2, 5, 4]) == .rumor)
    #expect(ProtocolVersions([1, 5, 2]) == nil)
  }
}

extension Array where Element == UInt8 {
  /// Whether `needle` occurs somewhere in the array.
  func windowed(_ needle: [UInt8]) -> Bool {
    guard needle.count <= count else { return false }
    return (0...(count - needle.count)).contains {
      self[$0..<($0 + needle.count)].elementsEqual(needle)
    }
  }
}
