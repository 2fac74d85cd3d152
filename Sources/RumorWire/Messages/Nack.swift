/// Sent by an intermediary when the target of an indirect probe did not
/// answer in time (message type 11, protocol 4 and later). A nack tells the
/// requester that its own link is fine, which Lifeguard uses to judge its
/// local health.
public struct Nack: Hashable, Sendable, WireStruct {
  /// The requester's original sequence number.
  public var seqNo: UInt32

  /// Creates a nack.
  public init(seqNo: UInt32 = 0) {
    self.seqNo = seqNo
  }

  init() { self.init(seqNo: 0) }

  static let keys = [StructKey("SeqNo")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    seqNo = try reader.readUnsigned(UInt32.self)
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 1)
    writer.writeKey(Self.keys[0])
    writer.writeUnsigned(UInt64(seqNo))
  }
}
