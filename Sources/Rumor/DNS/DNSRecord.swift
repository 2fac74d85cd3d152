/// One resource record (RFC 1035 4.1.3), or EDNS0's OPT pseudo-record.
public struct DNSRecord: Hashable, Sendable {
  /// The owner name (the root for OPT).
  public var name: DNSName
  /// The class: 1 (IN) for ordinary records; for OPT, the sender's UDP
  /// payload size.
  public var recordClass: UInt16
  /// Seconds a resolver may cache it; for OPT, the extended RCODE and
  /// flags.
  public var ttl: UInt32
  /// The data, by type.
  public var data: DNSRecordData

  /// The Internet class.
  public static let internet: UInt16 = 1

  /// A record of class IN.
  public init(name: DNSName, ttl: UInt32, data: DNSRecordData, recordClass: UInt16 = internet) {
    self.name = name
    self.recordClass = recordClass
    self.ttl = ttl
    self.data = data
  }

  /// An OPT pseudo-record offering `udpSize` bytes (RFC 6891 6.1.2).
  public static func opt(udpSize: UInt16) -> DNSRecord {
    DNSRecord(name: .root, ttl: 0, data: .opt([]), recordClass: udpSize)
  }

  /// The record's type.
  public var type: DNSRecordType { data.type }

  /// Decodes one record at the reader's position.
  static func decode(_ reader: inout DNSReader) throws(DNSDecodeError) -> DNSRecord {
    let name = try reader.name()
    let type = DNSRecordType(rawValue: try reader.u16())
    let recordClass = try reader.u16()
    let ttl = try reader.u32()
    let length = Int(try reader.u16())
    guard reader.remaining >= length else { throw .truncated }
    let end = reader.position + length
    let data = try DNSRecordData.decode(type: type, from: &reader, end: end)
    guard reader.position == end else { throw .badRecordData }
    return DNSRecord(name: name, ttl: ttl, data: data, recordClass: recordClass)
  }

  /// Appends the record.
  func encode(into writer: inout DNSWriter) {
    writer.name(name)
    writer.u16(type.rawValue)
    writer.u16(recordClass)
    writer.u32(ttl)
    let lengthOffset = writer.bytes.count
    writer.u16(0)
    let start = writer.bytes.count
    data.encode(into: &writer)
    writer.set16(UInt16(truncatingIfNeeded: writer.bytes.count - start), at: lengthOffset)
  }
}
