/// A message for another member, sent through a relay (Serf type 9): the
/// relay forwards `inner` (a whole Serf message) to `address:port`.
public struct SerfRelay: Hashable, Sendable {
  /// The destination IP, 4 or 16 bytes.
  public var address: [UInt8]
  /// The destination port.
  public var port: Int64
  /// The IPv6 zone of the destination, usually empty.
  public var zone: String
  /// The destination member's name.
  public var destinationName: String
  /// The Serf message to deliver, type byte included.
  public var inner: [UInt8]

  /// Creates a relay message.
  public init(
    address: [UInt8] = [], port: Int64 = 0, zone: String = "", destinationName: String = "",
    inner: [UInt8] = []
  ) {
    self.address = address
    self.port = port
    self.zone = zone
    self.destinationName = destinationName
    self.inner = inner
  }

  private static let headerKeys = [StructKey("DestAddr"), StructKey("DestName")]
  private static let addressKeys = [StructKey("IP"), StructKey("Port"), StructKey("Zone")]

  init(from reader: inout MessagePackReader) throws(WireError) {
    var relay = SerfRelay()
    try reader.readStruct(Self.headerKeys) { (header, index) throws(WireError) in
      guard index == 0 else {
        relay.destinationName = try header.readString()
        return
      }
      try header.readStruct(Self.addressKeys) { (address, field) throws(WireError) in
        switch field {
        case 0: relay.address = try address.readByteArray()
        case 1: relay.port = try address.readSigned(Int64.self)
        default: relay.zone = try address.readString()
        }
      }
    }
    relay.inner = Array(reader.remainder)
    _ = try reader.readSlice(count: relay.inner.count)
    self = relay
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 2)
    writer.writeKey(Self.headerKeys[0])
    writer.writeMapHeader(count: 3)
    writer.writeKey(Self.addressKeys[0])
    writer.writeBytesOrNil(address)
    writer.writeKey(Self.addressKeys[1])
    writer.writeGoInt(port)
    writer.writeKey(Self.addressKeys[2])
    writer.writeString(zone)
    writer.writeKey(Self.headerKeys[1])
    writer.writeString(destinationName)
    writer.bytes.append(contentsOf: inner)
  }
}
