/// A record type (RFC 1035 3.2.2 and later): a number, with names for the
/// ones Rumor reads or writes.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The number on the wire.
  public var rawValue: UInt16

  /// A type of the given number.
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// An IPv4 address.
  public static let a = DNSRecordType(rawValue: 1)
  /// A name server.
  public static let ns = DNSRecordType(rawValue: 2)
  /// An alias.
  public static let cname = DNSRecordType(rawValue: 5)
  /// The start of a zone of authority.
  public static let soa = DNSRecordType(rawValue: 6)
  /// A pointer (reverse lookups).
  public static let ptr = DNSRecordType(rawValue: 12)
  /// Text.
  public static let txt = DNSRecordType(rawValue: 16)
  /// An IPv6 address.
  public static let aaaa = DNSRecordType(rawValue: 28)
  /// A service's host and port (RFC 2782).
  public static let srv = DNSRecordType(rawValue: 33)
  /// EDNS0's pseudo-record (RFC 6891).
  public static let opt = DNSRecordType(rawValue: 41)
  /// Every type (a query only).
  public static let any = DNSRecordType(rawValue: 255)

  /// The mnemonic, or `TYPE<n>` (RFC 3597).
  public var description: String {
    switch self {
    case .a: "A"
    case .ns: "NS"
    case .cname: "CNAME"
    case .soa: "SOA"
    case .ptr: "PTR"
    case .txt: "TXT"
    case .aaaa: "AAAA"
    case .srv: "SRV"
    case .opt: "OPT"
    case .any: "ANY"
    default: "TYPE\(rawValue)"
    }
  }
}
