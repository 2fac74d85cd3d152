/// A JSON value with ordered object keys, for machine-readable output
/// (`rumor decode`, `--json` flags). Written without Foundation so that
/// the output is the same everywhere and key order is ours.
public indirect enum JSONValue: Hashable, Sendable, ExpressibleByStringLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  /// `null`.
  case null
  /// `true` / `false`.
  case bool(Bool)
  /// An integer.
  case integer(Int64)
  /// A non-negative integer too large for `integer`.
  case unsigned(UInt64)
  /// A floating-point number (non-finite values are written as `null`).
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object, keys in the given order.
  case object([(key: String, value: JSONValue)])

  /// A string literal is a JSON string.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An integer literal is a JSON integer.
  public init(integerLiteral value: Int64) { self = .integer(value) }
  /// A boolean literal is a JSON boolean.
  public init(booleanLiteral value: Bool) { self = .bool(value) }

  /// Any unsigned integer.
  public static func count<T: BinaryInteger>(_ value: T) -> JSONValue {
    if let small = Int64(exactly: value) { return .integer(small) }
    return .unsigned(UInt64(clamping: value))
  }

  /// The value of `key` in an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let fields) = self else { return nil }
    return fields.first { $0.key == key }?.value
  }

  /// Compact JSON text (one line).
  public var text: String {
    var output = ""
    write(to: &output)
    return output
  }

  private func write(to output: inout String) {
    switch self {
    case .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .integer(let number): output += String(number)
    case .unsigned(let number): output += String(number)
    case .number(let number):
      output += number.isFinite ? "\(number)" : "null"
    case .string(let text): Self.writeString(text, to: &output)
    case .array(let elements):
      output += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { output += "," }
        element.write(to: &output)
      }
      output += "]"
    case .object(let fields):
      output += "{"
      for (index, field) in fields.enumerated() {
        if index > 0 { output += "," }
        Self.writeString(field.key, to: &output)
        output += ":"
        field.value.write(to: &output)
      }
      output += "}"
    }
  }

  private static func writeString(_ text: String, to output: inout String) {
    output += "\""
    // Most strings need no escape: appended whole, not scalar by scalar.
    if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
      output += text
      output += "\""
      return
    }
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case _ where scalar.value < 0x20:
        let digits = String(scalar.value, radix: 16)
        output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
  }

  /// Values are equal when their JSON text is.
  public static func == (left: JSONValue, right: JSONValue) -> Bool {
    left.text == right.text
  }

  /// Hashes the JSON text.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(text)
  }
}
