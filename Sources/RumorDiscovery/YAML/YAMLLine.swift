/// One line of YAML source that holds something: blank and comment-only
/// lines are dropped when the text is split, since they never change the
/// structure.
struct YAMLLine: Sendable {
  /// The line number, from 1.
  let number: Int
  /// The line's characters, without the line break.
  let text: [Unicode.Scalar]
  /// How many spaces start the line.
  let indent: Int

  /// Splits `source` into its non-blank lines, refusing the characters
  /// YAML forbids and tabs used as indentation (YAML counts spaces only,
  /// and a tab's width is in the eye of the editor).
  static func split(_ source: String, file: String) throws(YAMLError) -> [YAMLLine] {
    var lines: [YAMLLine] = []
    var current: [Unicode.Scalar] = []
    var number = 1
    var scalars = source.unicodeScalars[...]
    // A byte-order mark is allowed at the very start and means nothing.
    if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
    var iterator = scalars.makeIterator()
    var pending = iterator.next()
    while let scalar = pending {
      pending = iterator.next()
      switch scalar {
      case "\n":
        if let line = try finish(current, number: number, file: file) { lines.append(line) }
        current.removeAll(keepingCapacity: true)
        number += 1
      case "\r":
        // CRLF and a lone CR both end a line, as in YAML.
        if pending == "\n" { pending = iterator.next() }
        if let line = try finish(current, number: number, file: file) { lines.append(line) }
        current.removeAll(keepingCapacity: true)
        number += 1
      default:
        guard isAllowed(scalar) else {
          let code = String(scalar.value, radix: 16, uppercase: true)
          throw YAMLError(
            file: file, position: SourcePosition(line: number, column: current.count + 1),
            message:
              "character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) is not allowed in YAML; remove it (is this a text file?)"
          )
        }
        current.append(scalar)
      }
    }
    if let line = try finish(current, number: number, file: file) { lines.append(line) }
    return lines
  }

  /// The line, or nil when it is blank or only a comment.
  private static func finish(_ text: [Unicode.Scalar], number: Int, file: String) throws(YAMLError)
    -> YAMLLine?
  {
    var indent = 0
    while indent < text.count, text[indent] == " " { indent += 1 }
    var content = indent
    while content < text.count, text[content] == " " || text[content] == "\t" { content += 1 }
    if content == text.count || text[content] == "#" { return nil }
    if content > indent {
      throw YAMLError(
        file: file, position: SourcePosition(line: number, column: indent + 1),
        message:
          "a tab in the indentation; YAML indents with spaces only, so replace it with spaces")
    }
    return YAMLLine(number: number, text: text, indent: indent)
  }

  /// YAML's printable set (tab allowed; line breaks are handled apart).
  private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD: true
    case 0x10000...0x10FFFF: true
    default: false
    }
  }
}
