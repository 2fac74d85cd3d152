/// Hexadecimal text for bytes, as `rumor decode --hex` reads it and as the
/// JSON output and logs print it.
public enum Hex {
  /// Lower-case hex digits, two per byte, no separators.
  public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// Parses hex digits; white space, `:` and a leading `0x` are ignored.
  /// The error names the first character that is not a digit.
  public static func decode(_ text: String) throws(WireError) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count / 2)
    var high: UInt8?
    var body = Substring(text)
    if body.hasPrefix("0x") || body.hasPrefix("0X") { body = body.dropFirst(2) }
    for (offset, character) in body.utf8.enumerated() {
      let value: UInt8
      switch character {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"),
        UInt8(ascii: ":"):
        continue
      default:
        throw WireError(
          .malformed, "'\(String(decoding: [character], as: UTF8.self))' is not a hex digit",
          at: offset)
      }
      if let pending = high {
        bytes.append(pending << 4 | value)
        high = nil
      } else {
        high = value
      }
    }
    guard high == nil else {
      throw WireError(.malformed, "odd number of hex digits", at: body.utf8.count)
    }
    return bytes
  }
}
