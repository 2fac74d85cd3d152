// Names, tags and error texts that came from the network end up in the
// agent's log. Printed raw, a member named "a\n2026-... failed db-1" would
// forge a whole log line, and escape sequences would drive the terminal.
// Every such value goes through one of these two.

extension String {
  /// The text as one log field: as is when it is printable and has no
  /// space, quote or backslash (every ordinary node or service name);
  /// otherwise in double quotes with `\\`, `\"`, `\n`, `\r`, `\t` and
  /// `\u{XXXX}` escapes for every other non-printing character, so that
  /// it can neither end the line nor pass for more than one field.
  public var logField: String {
    let plain = !isEmpty && unicodeScalars.allSatisfy { $0.isPlainInLog && $0 != " " }
    return plain ? self : "\"" + logText + "\""
  }

  /// Free text (an error message) made safe for one log line: the same
  /// escapes as `logField` (quotes and backslashes included), but spaces
  /// kept and no quotes added around it.
  public var logText: String {
    var escaped = ""
    escaped.reserveCapacity(utf8.count)
    for scalar in unicodeScalars {
      switch scalar {
      case "\\": escaped += "\\\\"
      case "\"": escaped += "\\\""
      case "\n": escaped += "\\n"
      case "\r": escaped += "\\r"
      case "\t": escaped += "\\t"
      case " ": escaped += " "
      default:
        if scalar.isPlainInLog {
          escaped.unicodeScalars.append(scalar)
        } else {
          escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
      }
    }
    return escaped
  }
}

extension Unicode.Scalar {
  /// Printable, and safe in a log line as is: not a control, format
  /// (bidirectional overrides, zero-width characters), separator other
  /// than the plain space, private-use, surrogate or unassigned
  /// character, and neither a quote nor a backslash.
  fileprivate var isPlainInLog: Bool {
    if self == "\"" || self == "\\" { return false }
    if self == " " { return true }
    switch properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse,
      .surrogate, .unassigned:
      return false
    default:
      return true
    }
  }
}
