/// A member's intent to leave (Serf type 0). Serf marks a member *left*
/// rather than *failed* only if this arrives before memberlist's leave.
public struct SerfLeave: Hashable, Sendable, WireStruct {
  /// The member clock time of the intent.
  public var lamportTime: UInt64
  /// The leaving member.
  public var node: String
  /// Whether to forget the member at once (`serf force-leave -prune`).
  public var prune: Bool

  /// Creates a leave intent.
  public init(lamportTime: UInt64 = 0, node: String = "", prune: Bool = false) {
    self.lamportTime = lamportTime
    self.node = node
    self.prune = prune
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [StructKey("LTime"), StructKey("Node"), StructKey("Prune")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: lamportTime = try reader.readUnsigned(UInt64.self)
    case 1: node = try reader.readNodeName()
    default: prune = try reader.readBool()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 3)
    writer.writeKey(Self.keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(Self.keys[1])
    writer.writeString(node)
    writer.writeKey(Self.keys[2])
    writer.writeBool(prune)
  }
}

/// A member's intent to join (Serf type 1), stamped with the member clock.
public struct SerfJoin: Hashable, Sendable, WireStruct {
  /// The member clock time of the intent.
  public var lamportTime: UInt64
  /// The joining member.
  public var node: String

  /// Creates a join intent.
  public init(lamportTime: UInt64 = 0, node: String = "") {
    self.lamportTime = lamportTime
    self.node = node
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [StructKey("LTime"), StructKey("Node")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    if index == 0 {
      lamportTime = try reader.readUnsigned(UInt64.self)
    } else {
      node = try reader.readNodeName()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 2)
    writer.writeKey(Self.keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(Self.keys[1])
    writer.writeString(node)
  }
}
