/// Reads the scalars and keys of one line: plain, single-quoted and
/// double-quoted text, and refuses, with a message saying what to write
/// instead, every YAML construct outside the subset.
struct YAMLScalarReader {
  /// The file name, for errors.
  let file: String
  /// The line being read.
  let line: YAMLLine

  /// A key found at the start of a map entry.
  struct Key {
    /// The key's text.
    var text: String
    /// Where it starts.
    var position: SourcePosition
    /// The index just past the `:`.
    var end: Int
  }

  /// Where `index` is, as a position.
  func position(_ index: Int) -> SourcePosition {
    SourcePosition(line: line.number, column: index + 1)
  }

  func error(at index: Int, _ message: String) -> YAMLError {
    YAMLError(file: file, position: position(index), message: message)
  }

  /// The character at `index`, or nil past the end.
  func character(_ index: Int) -> Unicode.Scalar? {
    index >= 0 && index < line.text.count ? line.text[index] : nil
  }

  /// Whether `index` is past the end or at a space or tab: what must follow
  /// `:` and `-` for them to be indicators rather than text.
  func isBreak(_ index: Int) -> Bool {
    guard let scalar = character(index) else { return true }
    return scalar == " " || scalar == "\t"
  }

  /// The first index from `index` that is not a space or tab.
  func skipSpaces(from index: Int) -> Int {
    var index = index
    while let scalar = character(index), scalar == " " || scalar == "\t" { index += 1 }
    return index
  }

  /// Whether nothing but an optional comment follows `index`.
  func isEndOfContent(_ index: Int) -> Bool {
    let next = skipSpaces(from: index)
    return next >= line.text.count || line.text[next] == "#"
  }

  /// Whether a list item (`-` then a space or the end) starts at `index`.
  func isListItem(at index: Int) -> Bool {
    character(index) == "-" && isBreak(index + 1)
  }

  /// The key of a `key: value` entry starting at `index`, or nil when the
  /// text there is not a map entry.
  func key(at index: Int) throws(YAMLError) -> Key? {
    guard let first = character(index) else { return nil }
    if first == "'" || first == "\"" {
      let quoted = try self.quoted(at: index)
      let colon = skipSpaces(from: quoted.end)
      guard character(colon) == ":", isBreak(colon + 1) else { return nil }
      return Key(text: quoted.text, position: position(index), end: colon + 1)
    }
    var cursor = index
    while let scalar = character(cursor) {
      if scalar == "#", cursor > index, isBreak(cursor - 1) { return nil }
      if scalar == ":", isBreak(cursor + 1) {
        let text = String(String.UnicodeScalarView(line.text[index..<cursor]))
        let trimmed = trimTrailingSpaces(text)
        guard !trimmed.isEmpty else {
          throw error(at: index, "a key is missing before ':'")
        }
        try checkPlainStart(at: index, isKey: true)
        return Key(text: trimmed, position: position(index), end: cursor + 1)
      }
      cursor += 1
    }
    return nil
  }

  /// The scalar value that fills the rest of the line from `index` (which
  /// is not a space), with an optional trailing comment.
  func value(at index: Int) throws(YAMLError) -> YAMLValue {
    let start = position(index)
    if let first = character(index), first == "'" || first == "\"" {
      let quoted = try self.quoted(at: index)
      guard isEndOfContent(quoted.end) else {
        throw error(
          at: skipSpaces(from: quoted.end),
          "unexpected text after the closing quote; quote the whole value")
      }
      return YAMLValue(.scalar(quoted.text, quoted.style), at: start)
    }
    try checkPlainStart(at: index, isKey: false)
    var cursor = index
    var end = index
    while let scalar = character(cursor) {
      if scalar == "#", isBreak(cursor - 1) { break }
      if scalar == ":", isBreak(cursor + 1) {
        throw error(
          at: cursor,
          "':' followed by a space inside a value; put the value in quotes, or if this was meant as a nested key, move it to its own line, indented"
        )
      }
      if scalar != " " && scalar != "\t" { end = cursor + 1 }
      cursor += 1
    }
    let text = String(String.UnicodeScalarView(line.text[index..<end]))
    return YAMLValue(.scalar(text, .plain), at: start)
  }

  /// Refuses the characters that cannot start a plain scalar: each marks
  /// a YAML feature the subset leaves out, and the message names it.
  func checkPlainStart(at index: Int, isKey: Bool) throws(YAMLError) {
    guard let first = character(index) else { return }
    let what = isKey ? "key" : "value"
    let message: String? =
      switch first {
      case "[", "]":
        "flow-style lists ('[...]') are not supported; write one '- item' per line, below the key"
      case "{", "}":
        "flow-style maps ('{...}') are not supported; write one 'key: value' per line, indented below the key"
      case "&": "anchors ('&name') are not supported; write the value out where it is needed"
      case "*": "aliases ('*name') are not supported; write the value out where it is needed"
      case "!": "tags ('!type') are not supported; remove the tag (the key decides the type)"
      case "|", ">":
        "block scalars ('|' and '>') are not supported; put the text on one line, in double quotes with \\n for line breaks"
      case "%":
        "directives and plain \(what)s starting with '%' are not supported; quote the \(what) or remove the directive"
      case "@", "`":
        "'\(first)' is reserved in YAML and cannot start a plain \(what); quote the \(what)"
      case ",": "',' cannot start a plain \(what); quote the \(what)"
      case "?" where isBreak(index + 1):
        "complex keys ('? ') are not supported; write 'key: value'"
      case "-" where isBreak(index + 1) && !isKey:
        "a list cannot start on its key's line; put each '- item' on its own line, below the key"
      default: nil
      }
    if let message { throw error(at: index, message) }
  }

  /// A quoted scalar whose opening quote is at `index`: its text, style
  /// and the index just past the closing quote.
  func quoted(at index: Int) throws(YAMLError) -> (
    text: String, style: YAMLValue.ScalarStyle, end: Int
  ) {
    let quote = character(index)
    var text = String.UnicodeScalarView()
    var cursor = index + 1
    while let scalar = character(cursor) {
      if scalar == quote {
        if quote == "'" && character(cursor + 1) == "'" {
          text.append("'")
          cursor += 2
          continue
        }
        return (String(text), quote == "'" ? .singleQuoted : .doubleQuoted, cursor + 1)
      }
      if scalar == "\\" && quote == "\"" {
        let (escaped, next) = try escape(at: cursor)
        text.append(escaped)
        cursor = next
        continue
      }
      text.append(scalar)
      cursor += 1
    }
    throw error(
      at: index,
      "this quoted text has no closing \(quote == "'" ? "'" : "\"") on its line; quoted values must end on the line they start on"
    )
  }

  /// The character a double-quoted escape at `index` (the backslash)
  /// stands for, and the index after the escape.
  private func escape(at index: Int) throws(YAMLError) -> (Unicode.Scalar, Int) {
    guard let code = character(index + 1) else {
      throw error(
        at: index,
        "a backslash at the end of the line; quoted values must end on the line they start on (write \\\\ for a backslash)"
      )
    }
    let simple: Unicode.Scalar? =
      switch code {
      case "0": "\u{0}"
      case "a": "\u{7}"
      case "b": "\u{8}"
      case "t", "\t": "\t"
      case "n": "\n"
      case "v": "\u{B}"
      case "f": "\u{C}"
      case "r": "\r"
      case "e": "\u{1B}"
      case " ": " "
      case "\"": "\""
      case "/": "/"
      case "\\": "\\"
      case "N": "\u{85}"
      case "_": "\u{A0}"
      case "L": "\u{2028}"
      case "P": "\u{2029}"
      default: nil
      }
    if let simple { return (simple, index + 2) }
    let digits: Int? =
      switch code {
      case "x": 2
      case "u": 4
      case "U": 8
      default: nil
      }
    guard let digits else {
      throw error(
        at: index,
        "unknown escape '\\\(code)'; use \\\\ for a backslash, or one of \\n \\t \\r \\\" \\0 \\xXX \\uXXXX \\UXXXXXXXX"
      )
    }
    var value: UInt32 = 0
    for offset in 0..<digits {
      guard let digit = character(index + 2 + offset), let number = hexValue(digit)
      else {
        throw error(at: index, "'\\\(code)' needs \(digits) hexadecimal digits")
      }
      value = value << 4 | number
    }
    guard let scalar = Unicode.Scalar(value) else {
      throw error(
        at: index,
        "'\\\(code)' escapes U+\(String(value, radix: 16, uppercase: true)), which is not a character"
      )
    }
    return (scalar, index + 2 + digits)
  }

  private func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
    switch scalar {
    case "0"..."9": scalar.value - 0x30
    case "a"..."f": scalar.value - 0x61 + 10
    case "A"..."F": scalar.value - 0x41 + 10
    default: nil
    }
  }

  private func trimTrailingSpaces(_ text: String) -> String {
    var scalars = Substring(text).unicodeScalars
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }
}
