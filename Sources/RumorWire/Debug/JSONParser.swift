/// A strict JSON reader (RFC 8259) for request bodies and the agent's
/// answers: total on any bytes, nesting at most `maximumDepth` deep, work
/// linear in the input. Objects keep their keys in order; a repeated key
/// is an error rather than a silent choice.
public struct JSONParser {
  /// Why the bytes are not JSON, with the byte offset.
  public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is.
    public var offset: Int
    /// What it is.
    public var reason: String
    /// "offset N: reason".
    public var description: String { "not JSON at byte \(offset): \(reason)" }
  }

  /// The deepest nesting of arrays and objects taken.
  public static let maximumDepth = 32

  private let bytes: [UInt8]
  private var index = 0

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// The value `bytes` hold (whitespace around it allowed, nothing else).
  public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
    var parser = JSONParser(bytes)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.index == bytes.count else { throw parser.failure("extra bytes after the value") }
    return value
  }

  private func failure(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipSpace() {
    while let byte = current, byte == 32 || byte == 9 || byte == 10 || byte == 13 { index += 1 }
  }

  private mutating func expect(_ word: String) throws(Failure) {
    for byte in word.utf8 {
      guard current == byte else { throw failure("expected '\(word)'") }
      index += 1
    }
  }

  private mutating func value(depth: Int) throws(Failure) -> JSONValue {
    guard let byte = current else { throw failure("a value is missing") }
    switch byte {
    case UInt8(ascii: "{"):
      guard depth < Self.maximumDepth else { throw failure("nested too deep") }
      index += 1
      var fields: [(key: String, value: JSONValue)] = []
      var keys: Set<String> = []
      skipSpace()
      if current == UInt8(ascii: "}") {
        index += 1
        return .object(fields)
      }
      while true {
        skipSpace()
        guard current == UInt8(ascii: "\"") else { throw failure("expected a key") }
        let key = try string()
        guard keys.insert(key).inserted else { throw failure("the key '\(key)' is repeated") }
        skipSpace()
        try expect(":")
        skipSpace()
        fields.append((key, try value(depth: depth + 1)))
        skipSpace()
        if current == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect("}")
        return .object(fields)
      }
    case UInt8(ascii: "["):
      guard depth < Self.maximumDepth else { throw failure("nested too deep") }
      index += 1
      var elements: [JSONValue] = []
      skipSpace()
      if current == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      }
      while true {
        skipSpace()
        elements.append(try value(depth: depth + 1))
        skipSpace()
        if current == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect("]")
        return .array(elements)
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw failure("unexpected byte \(byte)")
    }
  }

  private mutating func number() throws(Failure) -> JSONValue {
    let start = index
    var isInteger = true
    if current == UInt8(ascii: "-") { index += 1 }
    guard let first = current, (48...57).contains(first) else {
      throw failure("a digit is missing")
    }
    index += 1
    if first != 48 { while let digit = current, (48...57).contains(digit) { index += 1 } }
    if current == UInt8(ascii: ".") {
      isInteger = false
      index += 1
      guard let digit = current, (48...57).contains(digit) else {
        throw failure("a digit is missing")
      }
      while let digit = current, (48...57).contains(digit) { index += 1 }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      isInteger = false
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard let digit = current, (48...57).contains(digit) else {
        throw failure("a digit is missing")
      }
      while let digit = current, (48...57).contains(digit) { index += 1 }
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if isInteger, let integer = Int64(text) { return .integer(integer) }
    if isInteger, let unsigned = UInt64(text) { return .unsigned(unsigned) }
    guard let number = Double(text) else { throw failure("a number out of range") }
    return .number(number)
  }

  private mutating func string() throws(Failure) -> String {
    index += 1  // the opening quote
    var scalars = String.UnicodeScalarView()
    var run = index
    func flush(_ end: Int) throws(Failure) {
      guard run < end else { return }
      guard let text = String(validating: bytes[run..<end], as: UTF8.self) else {
        throw Failure(offset: run, reason: "a string is not UTF-8")
      }
      scalars.append(contentsOf: text.unicodeScalars)
    }
    while true {
      guard let byte = current else { throw failure("a string is not closed") }
      switch byte {
      case UInt8(ascii: "\""):
        try flush(index)
        index += 1
        return String(scalars)
      case UInt8(ascii: "\\"):
        try flush(index)
        index += 1
        guard let escaped = current else { throw failure("a string is not closed") }
        index += 1
        switch escaped {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
          var code = try hex4()
          if (0xD800..<0xDC00).contains(code) {
            try expect("\\u")
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { throw failure("a lone surrogate") }
          scalars.append(scalar)
        default: throw failure("an unknown escape")
        }
        run = index
      case 0..<32: throw failure("a control character in a string")
      default: index += 1
      }
    }
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = current else { throw failure("a \\u escape is cut short") }
      let digit: UInt32
      switch byte {
      case 48...57: digit = UInt32(byte - 48)
      case 65...70: digit = UInt32(byte - 55)
      case 97...102: digit = UInt32(byte - 87)
      default: throw failure("a \\u escape is not hexadecimal")
      }
      code = code << 4 | digit
      index += 1
    }
    return code
  }
}
