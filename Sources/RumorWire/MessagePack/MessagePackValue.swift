/// Any msgpack value, for payloads whose shape Rumor does not fix (Serf
/// coordinates, unknown fields) and for the `rumor decode` JSON output.
///
/// In the old msgpack spec memberlist uses, strings and byte slices are the
/// same "raw" family, so both decode to `.raw`.
public enum MessagePackValue: Hashable, Sendable {
  /// `c0`.
  case `nil`
  /// `c2` / `c3`.
  case bool(Bool)
  /// A non-negative integer of any width or family.
  case unsigned(UInt64)
  /// A negative integer.
  case signed(Int64)
  /// A `float32` or `float64`.
  case double(Double)
  /// A raw, str or bin value: bytes that may or may not be text.
  case raw([UInt8])
  /// An array.
  case array([MessagePackValue])
  /// A map, entries in wire order (Go writes maps in random order).
  case map([MapEntry])
  /// An extension value (never sent by memberlist or Serf).
  case `extension`(type: Int8, data: [UInt8])

  /// One key and value of a map.
  public struct MapEntry: Hashable, Sendable {
    /// The entry's key.
    public var key: MessagePackValue
    /// The entry's value.
    public var value: MessagePackValue

    /// Creates an entry.
    public init(key: MessagePackValue, value: MessagePackValue) {
      self.key = key
      self.value = value
    }
  }

  /// A string value (a raw of its UTF-8 bytes).
  public static func string(_ text: String) -> MessagePackValue {
    .raw(Array(text.utf8))
  }

  /// The value of `key` when this is a map with a raw key of that text.
  public subscript(key: String) -> MessagePackValue? {
    guard case .map(let entries) = self else { return nil }
    let wanted = Array(key.utf8)
    return entries.first { $0.key == .raw(wanted) }?.value
  }

  /// The text of a raw value (invalid UTF-8 repaired), else nil.
  public var stringValue: String? {
    guard case .raw(let bytes) = self else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }
}
