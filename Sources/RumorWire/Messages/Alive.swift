/// Gossip that a node is alive (message type 4): how nodes join, refute a
/// suspicion (with a higher incarnation) and change their tags (meta).
public struct Alive: Hashable, Sendable, WireStruct {
  /// The node's incarnation; starts at 1 and only grows.
  public var incarnation: UInt32
  /// The node's unique name.
  public var node: String
  /// The advertised IP, 4 or 16 bytes. Go compares these byte-wise.
  public var addr: [UInt8] {
    get { Array(addrBytes) }
    set { addrBytes = newValue[...] }
  }
  /// The advertised port.
  public var port: UInt16
  /// Delegate metadata (Serf tags), at most `MemberLimits.maximumMetaSize`
  /// bytes (512); a longer one is refused on receipt.
  public var meta: [UInt8] {
    get { Array(metaBytes) }
    set { metaBytes = newValue[...] }
  }
  /// The six version bytes (see `ProtocolVersions`), as received.
  public var vsn: [UInt8] {
    get { Array(vsnBytes) }
    set { vsnBytes = newValue[...] }
  }

  // The byte fields are kept as slices: a decoded message's point into
  // the datagram it came in, so decoding one allocates nothing for them
  // (most alive messages a node receives are news it has already, and a
  // copy of each field was three allocations per message). Whoever keeps
  // a message beyond its packet copies what it keeps.

  /// `addr` without a copy (a decoded message's is part of its datagram).
  public var addrBytes: ArraySlice<UInt8>
  /// `meta` without a copy (a decoded message's is part of its datagram).
  public var metaBytes: ArraySlice<UInt8>
  /// `vsn` without a copy (a decoded message's is part of its datagram).
  public var vsnBytes: ArraySlice<UInt8>

  /// Creates an alive message.
  public init(
    incarnation: UInt32 = 0, node: String = "", addr: [UInt8] = [], port: UInt16 = 0,
    meta: [UInt8] = [], vsn: [UInt8] = []
  ) {
    self.incarnation = incarnation
    self.node = node
    self.addrBytes = addr[...]
    self.port = port
    self.metaBytes = meta[...]
    self.vsnBytes = vsn[...]
  }

  /// The same message with fields of its own: a decoded message's fields
  /// point into its datagram, which a message kept for later would keep
  /// alive whole.
  public var owned: Alive {
    Alive(
      incarnation: incarnation, node: node, addr: addr, port: port, meta: meta, vsn: vsn)
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
    case 2: addrBytes = try reader.readBytes() ?? []
    case 3: port = try reader.readUnsigned(UInt16.self)
    case 4:
      metaBytes = try reader.readBytes(atMost: MemberLimits.maximumMetaSize, "node metadata")
    default:
      vsnBytes = try reader.readBytes(atMost: MemberLimits.maximumVersionSize, "version bytes")
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 6)
    writer.writeKey(keys[2])
    writer.writeBytesOrNil(addrBytes)
    writer.writeKey(keys[0])
    writer.writeUnsigned(UInt64(incarnation))
    writer.writeKey(keys[4])
    writer.writeBytesOrNil(metaBytes)
    writer.writeKey(keys[1])
    writer.writeString(node)
    writer.writeKey(keys[3])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[5])
    writer.writeBytesOrNil(vsnBytes)
  }
}
