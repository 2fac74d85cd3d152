/// The label header (type 244): `0xf4 | length:u8 | label`, in front of
/// every packet and at the start of a dialled stream. Nodes with different
/// labels cannot talk; with encryption the label is also authenticated.
public enum Label {
  /// Longest label memberlist accepts.
  public static let maximumLength = 255

  /// Checks that `label` can be sent: at most 255 bytes of UTF-8.
  public static func validate(_ label: String) throws(WireError) {
    guard label.utf8.count <= maximumLength else {
      throw WireError(
        .encoding, "label is \(label.utf8.count) bytes; the limit is \(maximumLength)", at: 0)
    }
  }

  /// The header bytes for `label`; empty for no label.
  public static func header(_ label: String) -> [UInt8] {
    guard !label.isEmpty else { return [] }
    let bytes = Array(label.utf8.prefix(maximumLength))
    return [MessageType.hasLabel.rawValue, UInt8(bytes.count)] + bytes
  }

  /// Bytes a label adds to every packet: 2 plus its length, or 0.
  public static func overhead(_ label: String) -> Int {
    label.isEmpty ? 0 : 2 + min(label.utf8.count, maximumLength)
  }

  /// Reads a label header if one starts at the reader's position and
  /// returns the label ("" when there is none).
  static func read(_ reader: inout MessagePackReader) throws(WireError) -> String {
    guard reader.peekByte() == MessageType.hasLabel.rawValue else { return "" }
    let start = reader.position
    _ = try reader.readByte()
    guard let length = reader.peekByte() else {
      throw WireError(.label, "label header ends before its length", at: start)
    }
    guard length > 0 else {
      throw WireError(.label, "label header has length 0", at: start)
    }
    _ = try reader.readByte()
    guard reader.remainingCount >= Int(length) else {
      throw WireError(.label, "label header ends inside its \(length)-byte label", at: start)
    }
    return String(decoding: try reader.readSlice(count: Int(length)), as: UTF8.self)
  }
}
