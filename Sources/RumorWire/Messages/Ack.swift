/// The answer to a ping (message type 2), direct or relayed.
public struct Ack: Hashable, Sendable, WireStruct {
  /// The sequence number of the ping being answered.
  public var seqNo: UInt32
  /// Opaque bytes from the ping delegate (Serf puts its network coordinate
  /// here); empty is sent as nil, as Go does.
  public var payload: [UInt8]

  /// Creates an ack.
  public init(seqNo: UInt32 = 0, payload: [UInt8] = []) {
    self.seqNo = seqNo
    self.payload = payload
  }

  init() { self.init(seqNo: 0) }

  static let keys = [StructKey("SeqNo"), StructKey("Payload")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    if index == 0 {
      seqNo = try reader.readUnsigned(UInt32.self)
    } else {
      payload = try reader.readByteArray()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 2)
    writer.writeKey(Self.keys[1])
    writer.writeBytesOrNil(payload)
    writer.writeKey(Self.keys[0])
    writer.writeUnsigned(UInt64(seqNo))
  }
}
