import Testing

@testable import RumorWire

@Suite("Serf network coordinates in ack payloads")
struct SerfCoordinateTests {
  /// The payload of an ack a Serf 0.9.4 agent sent (frame 22 of
  /// captures/serf-0.9.4/serf-2node-plain, sequence 5).
  static let captured = hex(
    "0184aa41646a7573746d656e74cb3f0b1488977ba39da54572726f72cb3ff0a0198b4e6607a6486569676874cb3f0e8f856e3d3461a356656398cb3eeb2bf6aff9f870cb3f2474430a1bb692cb3f1e1a61ce93e078cb3f12cd3e5d7ec086cb3ee1ed8cf859a853cbbeea2123e3bb1b38cb3f2001238d453c3dcbbf216b0d3386454e"
  )

  @Test func aCapturedSerfPayloadDecodesToItsCoordinate() throws {
    let coordinate = try SerfPingPayload.decode(Self.captured)
    #expect(coordinate.vector.count == 8)
    #expect(coordinate.error == 1.0390868608141106)
    #expect(coordinate.adjustment == 5.1651400040437385e-05)
    #expect(coordinate.height == 5.828977535191831e-05)
    #expect(coordinate.vector[0] == 1.2956491900025841e-05)
    #expect(coordinate.vector[7] == -0.00013289009235654476)
  }

  @Test func encodingGivesSerfsBytesExactly() throws {
    let coordinate = try SerfPingPayload.decode(Self.captured)
    #expect(SerfPingPayload.encode(coordinate) == Self.captured)
    #expect(Self.captured.count == 130)
  }

  @Test func anAckCarryingACoordinateEncodesThePayloadAsARaw16() throws {
    let ack = Message.ack(Ack(seqNo: 5, payload: Self.captured)).encoded()
    // type 2, map of 2, "Payload", raw16 of 130 bytes: as in the capture.
    #expect(Array(ack.prefix(13)) == hex("0282a75061796c6f6164da0082"))
  }

  @Test func aNewSerfNodesFirstAckIsReproducedByteForByte() {
    // Frame 20 of the plain capture (decompressed): sequence 1, the
    // coordinate at the origin with error 1.5 and height 10 µs.
    let captured = hex(
      "0282a75061796c6f6164da00820184aa41646a7573746d656e74cb0000000000000000a54572726f72cb3ff8000000000000a6486569676874cb3ee4f8b588e368f1a356656398cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000cb0000000000000000a55365714e6f01"
    )
    let origin = SerfCoordinate(
      vector: .init(repeating: 0, count: 8), error: 1.5, adjustment: 0, height: 10.0e-6)
    let ack = Message.ack(Ack(seqNo: 1, payload: SerfPingPayload.encode(origin))).encoded()
    #expect(ack == captured)
  }

  @Test func anotherPingVersionIsRefused() {
    var payload = Self.captured
    payload[0] = 2
    #expect(throws: WireError.self) { try SerfPingPayload.decode(payload) }
    #expect(throws: WireError.self) { try SerfPingPayload.decode([]) }
  }

  @Test func truncatedPayloadsAreRefusedNeverTrapped() {
    for length in 1..<Self.captured.count {
      #expect(throws: WireError.self) {
        try SerfPingPayload.decode(Array(Self.captured.prefix(length)))
      }
    }
  }

  @Test func aHugeVectorIsRefusedBeforeItIsRead() {
    // Version, map of 1, "Vec", array32 of 2^32 - 1 entries.
    let payload = hex("0181a3566563dd" + "ffffffff")
    #expect(throws: WireError.self) { try SerfPingPayload.decode(payload) }
    var writer = MessagePackWriter()
    writer.bytes.append(1)
    writer.writeMapHeader(count: 1)
    writer.writeString("Vec")
    writer.writeArrayHeader(count: 65)
    for _ in 0..<65 { writer.writeDouble(0) }
    #expect(throws: WireError.self) { try SerfPingPayload.decode(writer.bytes) }
  }

  @Test func nanAndInfinityDecodeAsTheyAreForTheCoreToRefuse() throws {
    let coordinate = SerfCoordinate(
      vector: [.nan, .infinity], error: -.infinity, adjustment: 0, height: 0)
    let decoded = try SerfPingPayload.decode(SerfPingPayload.encode(coordinate))
    #expect(decoded.vector[0].isNaN)
    #expect(decoded.vector[1] == .infinity)
    #expect(decoded.error == -.infinity)
  }

  @Test func fieldsInAnyOrderAndUnknownFieldsAreAccepted() throws {
    var writer = MessagePackWriter()
    writer.bytes.append(1)
    writer.writeMapHeader(count: 5)
    writer.writeString("Height")
    writer.writeDouble(0.5)
    writer.writeString("Extra")
    writer.writeString("ignored")
    writer.writeString("Vec")
    writer.writeArrayHeader(count: 2)
    writer.writeDouble(1)
    writer.writeDouble(2)
    writer.writeString("Error")
    writer.writeDouble(0.25)
    writer.writeString("Adjustment")
    writer.writeDouble(-0.125)
    let coordinate = try SerfPingPayload.decode(writer.bytes)
    #expect(
      coordinate == SerfCoordinate(vector: [1, 2], error: 0.25, adjustment: -0.125, height: 0.5))
  }
}
