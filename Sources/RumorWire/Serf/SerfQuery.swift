/// A query to the cluster (Serf type 4); members answer with
/// `SerfQueryResponse` sent straight to `addr:port`.
public struct SerfQuery: Hashable, Sendable, WireStruct {
  /// Flag: the sender wants an ack from every member that got the query.
  public static let ackFlag: UInt32 = 1
  /// Flag: receivers must not re-broadcast the query.
  public static let noBroadcastFlag: UInt32 = 2

  /// The query clock time.
  public var lamportTime: UInt64
  /// A random identifier.
  public var id: UInt32
  /// Where responses go: an IP, 4 or 16 bytes.
  public var addr: [UInt8]
  /// Where responses go: the port.
  public var port: UInt16
  /// The querying member (newer Serf only).
  public var sourceNode: String
  /// Node and tag filters, each a filter type byte and msgpack.
  public var filters: [[UInt8]]
  /// `ackFlag`, `noBroadcastFlag`.
  public var flags: UInt32
  /// How many extra members relay each response.
  public var relayFactor: UInt8
  /// How long members may take to answer, in nanoseconds.
  public var timeoutNanoseconds: Int64
  /// The query name (`_serf_` prefixes Serf's own).
  public var name: String
  /// The query payload.
  public var payload: [UInt8]

  /// Creates a query.
  public init(
    lamportTime: UInt64 = 0, id: UInt32 = 0, addr: [UInt8] = [], port: UInt16 = 0,
    sourceNode: String = "", filters: [[UInt8]] = [], flags: UInt32 = 0, relayFactor: UInt8 = 0,
    timeoutNanoseconds: Int64 = 0, name: String = "", payload: [UInt8] = []
  ) {
    self.lamportTime = lamportTime
    self.id = id
    self.addr = addr
    self.port = port
    self.sourceNode = sourceNode
    self.filters = filters
    self.flags = flags
    self.relayFactor = relayFactor
    self.timeoutNanoseconds = timeoutNanoseconds
    self.name = name
    self.payload = payload
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [
    StructKey("LTime"), StructKey("ID"), StructKey("Addr"), StructKey("Port"),
    StructKey("SourceNode"), StructKey("Filters"), StructKey("Flags"), StructKey("RelayFactor"),
    StructKey("Timeout"), StructKey("Name"), StructKey("Payload"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: lamportTime = try reader.readUnsigned(UInt64.self)
    case 1: id = try reader.readUnsigned(UInt32.self)
    case 2: addr = try reader.readByteArray()
    case 3: port = try reader.readUnsigned(UInt16.self)
    case 4: sourceNode = try reader.readString()
    case 5:
      let count = try reader.readArrayHeader() ?? 0
      var collected: [[UInt8]] = []
      for _ in 0..<count { collected.append(try reader.readByteArray()) }
      filters = collected
    case 6: flags = try reader.readUnsigned(UInt32.self)
    case 7: relayFactor = try reader.readUnsigned(UInt8.self)
    case 8: timeoutNanoseconds = try reader.readSigned(Int64.self)
    case 9: name = try reader.readString()
    default: payload = try reader.readByteArray()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 11)
    writer.writeKey(keys[2])
    writer.writeBytesOrNil(addr)
    writer.writeKey(keys[5])
    if filters.isEmpty {
      writer.writeNil()
    } else {
      writer.writeArrayHeader(count: filters.count)
      for filter in filters { writer.writeRaw(filter) }
    }
    writer.writeKey(keys[6])
    writer.writeUnsigned(UInt64(flags))
    writer.writeKey(keys[1])
    writer.writeUnsigned(UInt64(id))
    writer.writeKey(keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(keys[9])
    writer.writeString(name)
    writer.writeKey(keys[10])
    writer.writeBytesOrNil(payload)
    writer.writeKey(keys[3])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[7])
    writer.writeUnsigned(UInt64(relayFactor))
    writer.writeKey(keys[4])
    writer.writeString(sourceNode)
    writer.writeKey(keys[8])
    writer.writeGoInt(timeoutNanoseconds)
  }
}

/// An answer to a query, or an ack of its receipt (Serf type 5).
public struct SerfQueryResponse: Hashable, Sendable, WireStruct {
  /// Flag: this is an ack, not an answer.
  public static let ackFlag: UInt32 = 1

  /// The query's clock time.
  public var lamportTime: UInt64
  /// The query's identifier.
  public var id: UInt32
  /// The answering member.
  public var from: String
  /// `ackFlag` or 0.
  public var flags: UInt32
  /// The answer.
  public var payload: [UInt8]

  /// Creates a query response.
  public init(
    lamportTime: UInt64 = 0, id: UInt32 = 0, from: String = "", flags: UInt32 = 0,
    payload: [UInt8] = []
  ) {
    self.lamportTime = lamportTime
    self.id = id
    self.from = from
    self.flags = flags
    self.payload = payload
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [
    StructKey("LTime"), StructKey("ID"), StructKey("From"), StructKey("Flags"),
    StructKey("Payload"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: lamportTime = try reader.readUnsigned(UInt64.self)
    case 1: id = try reader.readUnsigned(UInt32.self)
    case 2: from = try reader.readString()
    case 3: flags = try reader.readUnsigned(UInt32.self)
    default: payload = try reader.readByteArray()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 5)
    writer.writeKey(keys[3])
    writer.writeUnsigned(UInt64(flags))
    writer.writeKey(keys[2])
    writer.writeString(from)
    writer.writeKey(keys[1])
    writer.writeUnsigned(UInt64(id))
    writer.writeKey(keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(keys[4])
    writer.writeBytesOrNil(payload)
  }
}
