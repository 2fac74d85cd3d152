/// A direct probe (message type 0): "are you alive?".
///
/// The receiver answers with an `Ack` carrying the same `seqNo`, sent to
/// `sourceAddr:sourcePort` when both are set, else to the packet's source.
public struct Ping: Hashable, Sendable, WireStruct {
  /// The sender's sequence number, echoed in the ack.
  public var seqNo: UInt32
  /// The name of the intended target. A node ignores pings for another name.
  public var node: String
  /// The sender's advertised IP (4 or 16 bytes); omitted when empty.
  public var sourceAddr: [UInt8]
  /// The sender's advertised port; omitted when 0.
  public var sourcePort: UInt16
  /// The sender's name; omitted when empty.
  public var sourceNode: String

  /// Creates a ping.
  public init(
    seqNo: UInt32 = 0, node: String = "", sourceAddr: [UInt8] = [], sourcePort: UInt16 = 0,
    sourceNode: String = ""
  ) {
    self.seqNo = seqNo
    self.node = node
    self.sourceAddr = sourceAddr
    self.sourcePort = sourcePort
    self.sourceNode = sourceNode
  }

  init() { self.init(seqNo: 0) }

  static let keys = [
    StructKey("SeqNo"), StructKey("Node"), StructKey("SourceAddr"), StructKey("SourcePort"),
    StructKey("SourceNode"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: seqNo = try reader.readUnsigned(UInt32.self)
    case 1: node = try reader.readString()
    case 2: sourceAddr = try reader.readByteArray()
    case 3: sourcePort = try reader.readUnsigned(UInt16.self)
    default: sourceNode = try reader.readString()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(
      count: 2 + (sourceAddr.isEmpty ? 0 : 1) + (sourcePort == 0 ? 0 : 1)
        + (sourceNode.isEmpty ? 0 : 1))
    writer.writeKey(keys[1])
    writer.writeString(node)
    writer.writeKey(keys[0])
    writer.writeUnsigned(UInt64(seqNo))
    if !sourceAddr.isEmpty {
      writer.writeKey(keys[2])
      writer.writeRaw(sourceAddr)
    }
    if !sourceNode.isEmpty {
      writer.writeKey(keys[4])
      writer.writeString(sourceNode)
    }
    if sourcePort != 0 {
      writer.writeKey(keys[3])
      writer.writeUnsigned(UInt64(sourcePort))
    }
  }
}
