/// A request to probe a target on the sender's behalf (message type 1).
///
/// The intermediary pings `target:port` and relays the ack to the sender
/// with the sender's `seqNo`, or a `Nack` if `nack` is set and no ack came.
public struct IndirectPing: Hashable, Sendable, WireStruct {
  /// The requester's sequence number, echoed in the relayed ack or nack.
  public var seqNo: UInt32
  /// The target's IP bytes, exactly as the requester stores them.
  public var target: [UInt8]
  /// The target's port.
  public var port: UInt16
  /// The target's name, forwarded in the intermediary's ping.
  public var node: String
  /// Whether the requester wants a nack when the target does not answer.
  public var nack: Bool
  /// The requester's advertised IP; omitted when empty.
  public var sourceAddr: [UInt8]
  /// The requester's advertised port; omitted when 0.
  public var sourcePort: UInt16
  /// The requester's name; omitted when empty.
  public var sourceNode: String

  /// Creates an indirect ping request.
  public init(
    seqNo: UInt32 = 0, target: [UInt8] = [], port: UInt16 = 0, node: String = "",
    nack: Bool = false, sourceAddr: [UInt8] = [], sourcePort: UInt16 = 0, sourceNode: String = ""
  ) {
    self.seqNo = seqNo
    self.target = target
    self.port = port
    self.node = node
    self.nack = nack
    self.sourceAddr = sourceAddr
    self.sourcePort = sourcePort
    self.sourceNode = sourceNode
  }

  init() { self.init(seqNo: 0) }

  static let keys = [
    StructKey("SeqNo"), StructKey("Target"), StructKey("Port"), StructKey("Node"),
    StructKey("Nack"), StructKey("SourceAddr"), StructKey("SourcePort"), StructKey("SourceNode"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: seqNo = try reader.readUnsigned(UInt32.self)
    case 1: target = try reader.readByteArray()
    case 2: port = try reader.readUnsigned(UInt16.self)
    case 3: node = try reader.readString()
    case 4: nack = try reader.readBool()
    case 5: sourceAddr = try reader.readByteArray()
    case 6: sourcePort = try reader.readUnsigned(UInt16.self)
    default: sourceNode = try reader.readString()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(
      count: 5 + (sourceAddr.isEmpty ? 0 : 1) + (sourcePort == 0 ? 0 : 1)
        + (sourceNode.isEmpty ? 0 : 1))
    writer.writeKey(keys[4])
    writer.writeBool(nack)
    writer.writeKey(keys[3])
    writer.writeString(node)
    writer.writeKey(keys[2])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[0])
    writer.writeUnsigned(UInt64(seqNo))
    if !sourceAddr.isEmpty {
      writer.writeKey(keys[5])
      writer.writeRaw(sourceAddr)
    }
    if !sourceNode.isEmpty {
      writer.writeKey(keys[7])
      writer.writeString(sourceNode)
    }
    if sourcePort != 0 {
      writer.writeKey(keys[6])
      writer.writeUnsigned(UInt64(sourcePort))
    }
    writer.writeKey(keys[1])
    writer.writeBytesOrNil(target)
  }
}
