/// Why bytes did not decode as a DNS message. Each case is one kind of
/// damage, so that the server can count them apart.
public enum DNSDecodeError: Error, Hashable, Sendable, CaseIterable {
  /// The bytes end before the header, a name, a question or a record does
  /// (a count that claims more entries than there are bytes ends here).
  case truncated
  /// A label's length byte has the reserved high bits `01` or `10`.
  case badLabelType
  /// A name is longer than 255 bytes in wire form.
  case nameTooLong
  /// A compression pointer points at or after the name it continues (the
  /// only way a pointer loop could form), or a name takes more jumps than
  /// a name can have labels.
  case badPointer
  /// A record's data does not match its type (an A record of 3 bytes, a
  /// name running past the data).
  case badRecordData
  /// Bytes follow the last record the header announces.
  case trailingBytes

  /// A short word for the kind, for counters and metrics labels.
  public var kind: String {
    switch self {
    case .truncated: "truncated"
    case .badLabelType: "bad_label_type"
    case .nameTooLong: "name_too_long"
    case .badPointer: "bad_pointer"
    case .badRecordData: "bad_record_data"
    case .trailingBytes: "trailing_bytes"
    }
  }
}
