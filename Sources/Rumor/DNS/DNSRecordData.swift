/// The data of a record, by type; types Rumor does not read are kept as
/// bytes.
public enum DNSRecordData: Hashable, Sendable {
  /// An IPv4 address (4 bytes).
  case a([UInt8])
  /// An IPv6 address (16 bytes).
  case aaaa([UInt8])
  /// An alias for another name.
  case cname(DNSName)
  /// A service's location (RFC 2782): lower priority first, then weight.
  case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
  /// A zone's authority (RFC 1035 3.3.13); `minimum` is the TTL of
  /// negative answers (RFC 2308).
  case soa(
    primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
    expire: UInt32, minimum: UInt32)
  /// EDNS0 options, kept as bytes.
  case opt([UInt8])
  /// Any other type, its data as bytes.
  case other(DNSRecordType, [UInt8])

  /// The record type this data belongs to.
  public var type: DNSRecordType {
    switch self {
    case .a: .a
    case .aaaa: .aaaa
    case .cname: .cname
    case .srv: .srv
    case .soa: .soa
    case .opt: .opt
    case .other(let type, _): type
    }
  }

  /// Decodes the data of a record of `type` ending at `end`.
  static func decode(type: DNSRecordType, from reader: inout DNSReader, end: Int)
    throws(DNSDecodeError) -> DNSRecordData
  {
    let length = end - reader.position
    switch type {
    case .a:
      guard length == 4 else { throw .badRecordData }
      return .a(try reader.take(4))
    case .aaaa:
      guard length == 16 else { throw .badRecordData }
      return .aaaa(try reader.take(16))
    case .cname:
      let name = try reader.name()
      guard reader.position <= end else { throw .badRecordData }
      return .cname(name)
    case .srv:
      guard length >= 7 else { throw .badRecordData }
      let priority = try reader.u16()
      let weight = try reader.u16()
      let port = try reader.u16()
      let target = try reader.name()
      guard reader.position <= end else { throw .badRecordData }
      return .srv(priority: priority, weight: weight, port: port, target: target)
    case .soa:
      let primary = try reader.name()
      let mailbox = try reader.name()
      guard end - reader.position == 20 else { throw .badRecordData }
      return .soa(
        primary: primary, mailbox: mailbox, serial: try reader.u32(), refresh: try reader.u32(),
        retry: try reader.u32(), expire: try reader.u32(), minimum: try reader.u32())
    case .opt:
      return .opt(try reader.take(length))
    default:
      return .other(type, try reader.take(length))
    }
  }

  /// Appends the data (without its length).
  func encode(into writer: inout DNSWriter) {
    switch self {
    case .a(let bytes), .aaaa(let bytes), .opt(let bytes), .other(_, let bytes):
      writer.append(bytes)
    case .cname(let name):
      writer.name(name)
    case .srv(let priority, let weight, let port, let target):
      writer.u16(priority)
      writer.u16(weight)
      writer.u16(port)
      // RFC 2782: the target is not compressed.
      writer.name(target, compress: false)
    case .soa(let primary, let mailbox, let serial, let refresh, let retry, let expire, let minimum):
      writer.name(primary)
      writer.name(mailbox)
      for value in [serial, refresh, retry, expire, minimum] { writer.u32(value) }
    }
  }
}
