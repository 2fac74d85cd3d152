/// Gossip that a node is alive (message type 4): how nodes join, refute a
/// suspicion (with a higher incarnation) and change their tags (meta).
public struct Alive: Hashable, Sendable, WireStruct {
  /// The node's incarnation; starts at 1 and only grows.
  public var incarnation: UInt32
  /// The node's unique name.
  public var node: String
  /// The advertised IP, 4 or 16 bytes. Go compares these byte-wise.
  public var addr: [UInt8]
  /// The advertised port.
  public var port: UInt16
  /// Delegate metadata (Serf tags), at most `MemberLimits.maximumMetaSize`
  /// bytes (512); a longer one is refused on receipt.
  public var meta: [UInt8]
  /// The six version bytes (see `ProtocolVersions`), as received.
  public var vsn: [UInt8]

  /// Creates an alive message.
  public init(
    incarnation: UInt32 = 0, node: String = "", addr: [UInt8] = [], port: UInt16 = 0,
    meta: [UInt8] = [], vsn: [UInt8] = []
  ) {
    self.incarnation = incarnation
    self.node = node
    self.addr = addr
    self.port = port
    self.meta = meta
    self.vsn = vsn
  }

  init() { self.init(incarnation: 0) }

  /// The version ranges, when all six bytes are present.
  public var versions: ProtocolVersions? { ProtocolVersions(vsn) }

  static let keys = [
    StructKey("Incarnation"), StructKey("Node"), StructKey("Addr"), StructKey("Port"),
    StructKey("Meta"), StructKey("Vsn"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: incarnation = try reader.readUnsigned(UInt32.self)
    case 1: node = try reader.readNodeName()
    case 2: addr = try reader.readByteArray()
    case 3: port = try reader.readUnsigned(UInt16.self)
    case 4: meta = try reader.readByteArray(atMost: MemberLimits.maximumMetaSize, "node metadata")
    default:
      vsn = try reader.readByteArray(atMost: MemberLimits.maximumVersionSize, "version bytes")
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 6)
    writer.writeKey(keys[2])
    writer.writeBytesOrNil(addr)
    writer.writeKey(keys[0])
    writer.writeUnsigned(UInt64(incarnation))
    writer.writeKey(keys[4])
    writer.writeBytesOrNil(meta)
    writer.writeKey(keys[1])
    writer.writeString(node)
    writer.writeKey(keys[3])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[5])
    writer.writeBytesOrNil(vsn)
  }
}
