/// A custom event broadcast to the cluster (Serf type 3, `serf event`).
public struct SerfUserEvent: Hashable, Sendable, WireStruct {
  /// The event clock time.
  public var lamportTime: UInt64
  /// The event name.
  public var name: String
  /// The event payload.
  public var payload: [UInt8]
  /// Whether events of the same name may be coalesced.
  public var coalesce: Bool

  /// Creates a user event.
  public init(
    lamportTime: UInt64 = 0, name: String = "", payload: [UInt8] = [], coalesce: Bool = false
  ) {
    self.lamportTime = lamportTime
    self.name = name
    self.payload = payload
    self.coalesce = coalesce
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [StructKey("LTime"), StructKey("Name"), StructKey("Payload"), StructKey("CC")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: lamportTime = try reader.readUnsigned(UInt64.self)
    case 1: name = try reader.readString()
    case 2: payload = try reader.readByteArray()
    default: coalesce = try reader.readBool()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 4)
    writer.writeKey(keys[3])
    writer.writeBool(coalesce)
    writer.writeKey(keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(keys[1])
    writer.writeString(name)
    writer.writeKey(keys[2])
    writer.writeBytesOrNil(payload)
  }
}
