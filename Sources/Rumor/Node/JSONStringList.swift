/// A strict reader for one JSON shape, a list of strings (`["a", "b"]`),
/// which is all a keyring file holds. Escapes are taken as JSON defines
/// them; anything else is an error with its byte offset.
enum JSONStringList {
  /// Why the text is not a list of strings.
  struct Failure: Error {
    var reason: String
  }

  /// The strings of `bytes`.
  static func parse(_ bytes: [UInt8]) throws(Failure) -> [String] {
    var index = 0
    func skipSpace() {
      while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
    func expect(_ byte: UInt8, _ what: String) throws(Failure) {
      skipSpace()
      guard index < bytes.count, bytes[index] == byte else {
        throw Failure(reason: "expected \(what) at byte \(index)")
      }
      index += 1
    }
    try expect(UInt8(ascii: "["), "'['")
    var strings: [String] = []
    skipSpace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
    } else {
      while true {
        try expect(UInt8(ascii: "\""), "a string")
        var text: [UInt8] = []
        while true {
          guard index < bytes.count else { throw Failure(reason: "a string does not end") }
          let byte = bytes[index]
          index += 1
          if byte == UInt8(ascii: "\"") { break }
          guard byte >= 0x20 else {
            throw Failure(reason: "a control character in a string at byte \(index - 1)")
          }
          guard byte == UInt8(ascii: "\\") else {
            text.append(byte)
            continue
          }
          guard index < bytes.count else { throw Failure(reason: "a string does not end") }
          let escaped = bytes[index]
          index += 1
          switch escaped {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
          case UInt8(ascii: "n"): text.append(0x0A)
          case UInt8(ascii: "t"): text.append(0x09)
          case UInt8(ascii: "r"): text.append(0x0D)
          case UInt8(ascii: "b"): text.append(0x08)
          case UInt8(ascii: "f"): text.append(0x0C)
          case UInt8(ascii: "u"):
            // Go writes <, > and & as \u003c...; keys never hold them, but
            // an ASCII escape is read rather than refused.
            guard index + 4 <= bytes.count,
              let value = UInt32(
                String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
              value < 0x80
            else { throw Failure(reason: "an unsupported \\u escape at byte \(index - 2)") }
            text.append(UInt8(value))
            index += 4
          default:
            throw Failure(reason: "an unknown escape at byte \(index - 2)")
          }
        }
        strings.append(String(decoding: text, as: UTF8.self))
        skipSpace()
        guard index < bytes.count else { throw Failure(reason: "the list does not end") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect(UInt8(ascii: "]"), "',' or ']'")
        break
      }
    }
    skipSpace()
    guard index == bytes.count else {
      throw Failure(reason: "text after the list at byte \(index)")
    }
    return strings
  }
}
