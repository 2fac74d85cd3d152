/// Standard base64 (RFC 4648, with padding), as Serf writes keys in its
/// key-list responses and keyring files. Small and strict: decoding takes
/// only the standard alphabet with correct padding.
public enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// `bytes` as base64 text.
  public static func encode(_ bytes: [UInt8]) -> String {
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let first = bytes[index]
      let second = index + 1 < bytes.count ? bytes[index + 1] : 0
      let third = index + 2 < bytes.count ? bytes[index + 2] : 0
      output.append(alphabet[Int(first >> 2)])
      output.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
      output.append(index + 1 < bytes.count ? alphabet[Int((second & 0x0F) << 2 | third >> 6)] : 61)
      output.append(index + 2 < bytes.count ? alphabet[Int(third & 0x3F)] : 61)
      index += 3
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// The bytes of base64 `text`; nil for anything but standard, padded
  /// base64.
  public static func decode(_ text: String) -> [UInt8]? {
    let input = Array(text.utf8)
    guard input.count % 4 == 0 else { return nil }
    var output: [UInt8] = []
    output.reserveCapacity(input.count / 4 * 3)
    var index = 0
    while index < input.count {
      let isLast = index + 4 == input.count
      var values: [UInt8] = []
      var padding = 0
      for offset in 0..<4 {
        let character = input[index + offset]
        if character == 61, isLast, offset >= 2 {
          padding += 1
          values.append(0)
          continue
        }
        guard padding == 0, let value = Self.value(of: character) else { return nil }
        values.append(value)
      }
      output.append(values[0] << 2 | values[1] >> 4)
      if padding < 2 { output.append(values[1] << 4 | values[2] >> 2) }
      if padding < 1 { output.append(values[2] << 6 | values[3]) }
      index += 4
    }
    return output
  }

  private static func value(of character: UInt8) -> UInt8? {
    switch character {
    case 65...90: character - 65
    case 97...122: character - 71
    case 48...57: character + 4
    case 43: 62
    case 47: 63
    default: nil
    }
  }
}
