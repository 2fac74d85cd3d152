/// The shape shared by `Suspect` and `Dead`: a claim by `from` about the
/// state of `node` at `incarnation`.
protocol Accusation: WireStruct {
  var incarnation: UInt32 { get set }
  var node: String { get set }
  var from: String { get set }
}

extension Accusation {
  static var keys: [StructKey] { accusationKeys }

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: incarnation = try reader.readUnsigned(UInt32.self)
    case 1: node = try reader.readNodeName()
    default: from = try reader.readNodeName()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = accusationKeys
    writer.writeMapHeader(count: 3)
    writer.writeKey(keys[2])
    writer.writeString(from)
    writer.writeKey(keys[0])
    writer.writeUnsigned(UInt64(incarnation))
    writer.writeKey(keys[1])
    writer.writeString(node)
  }
}

private let accusationKeys = [StructKey("Incarnation"), StructKey("Node"), StructKey("From")]

/// Gossip that `node` is suspected of having failed (message type 3).
///
/// A suspect with an incarnation equal to the known one is accepted; the
/// accused refutes it by gossiping an `Alive` with a higher incarnation.
public struct Suspect: Hashable, Sendable, Accusation {
  /// The accused node's incarnation as the accuser knows it.
  public var incarnation: UInt32
  /// The accused node.
  public var node: String
  /// The accuser.
  public var from: String

  /// Creates a suspect message.
  public init(incarnation: UInt32 = 0, node: String = "", from: String = "") {
    self.incarnation = incarnation
    self.node = node
    self.from = from
  }

  init() { self.init(incarnation: 0) }
}

/// Gossip that `node` is dead (message type 5). When `from == node` it is
/// the node's own graceful leave and receivers mark it left, not failed.
public struct Dead: Hashable, Sendable, Accusation {
  /// The dead node's incarnation as the sender knows it.
  public var incarnation: UInt32
  /// The dead (or leaving) node.
  public var node: String
  /// Who declares it; equal to `node` for a graceful leave.
  public var from: String

  /// Creates a dead message.
  public init(incarnation: UInt32 = 0, node: String = "", from: String = "") {
    self.incarnation = incarnation
    self.node = node
    self.from = from
  }

  init() { self.init(incarnation: 0) }

  /// Whether this is a graceful leave rather than a failure.
  public var isLeave: Bool { from == node }
}
