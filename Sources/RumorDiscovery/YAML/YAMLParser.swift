/// Parses the block-style YAML subset that Rumor's configuration files
/// are written in, and refuses everything else with a positioned error.
///
/// Accepted: maps and lists in block style (nested by indentation with
/// spaces, lists of scalars or of maps, `- key: value` items, a list at the
/// same indentation as its key), plain, single-quoted and double-quoted
/// scalars with YAML's escapes, comments, blank lines, one optional `---`
/// at the top. Refused, each with `file:line:column: message`: tabs in the
/// indentation, flow style (`[...]`, `{...}`), anchors, aliases and tags,
/// block scalars (`|`, `>`), directives, a second document, values that
/// continue on the next line, duplicate keys and indentation that lines up
/// with nothing.
///
/// The parser is total: any input ends in a value or a `YAMLError`, never
/// a trap, and nesting is capped so that hostile input cannot exhaust the
/// stack.
public enum YAMLParser {
  /// How deep maps and lists may nest; configuration needs five levels.
  public static let maximumDepth = 64

  /// Parses `text`; `file` names the source in errors.
  public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLValue {
    var parser = YAMLBlockParser(file: file, lines: try YAMLLine.split(text, file: file))
    return try parser.document()
  }
}

/// The recursive descent over lines behind `YAMLParser`.
struct YAMLBlockParser {
  let file: String
  let lines: [YAMLLine]
  /// The line being parsed.
  var index = 0
  /// Where the current line's content starts: its indentation, or further
  /// right for the content of a `- ` item sharing its line.
  var offset = 0

  init(file: String, lines: [YAMLLine]) {
    self.file = file
    self.lines = lines
  }

  mutating func document() throws(YAMLError) -> YAMLValue {
    guard let first = lines.first else {
      return YAMLValue(.empty, at: SourcePosition(line: 1, column: 1))
    }
    if first.indent == 0, first.text.first == "%" {
      throw YAMLError(
        file: file, position: SourcePosition(line: first.number, column: 1),
        message: "directives ('%YAML', '%TAG') are not supported; remove the line")
    }
    if isMarker(first, "-") {
      let reader = YAMLScalarReader(file: file, line: first)
      guard reader.isEndOfContent(3) else {
        throw reader.error(
          at: reader.skipSpaces(from: 3), "put the document's content on the lines after '---'")
      }
      index = 1
    }
    for line in lines[index...] {
      if isMarker(line, "-") {
        throw YAMLError(
          file: file, position: SourcePosition(line: line.number, column: 1),
          message: "a second document ('---') is not supported; keep one configuration per file")
      }
      if isMarker(line, ".") {
        throw YAMLError(
          file: file, position: SourcePosition(line: line.number, column: 1),
          message: "the document end marker '...' is not supported; remove it")
      }
    }
    guard index < lines.count else {
      return YAMLValue(.empty, at: SourcePosition(line: first.number + 1, column: 1))
    }
    offset = lines[index].indent
    let rootIndent = offset
    let root = try node(depth: 0)
    if index < lines.count {
      let context =
        if case .scalar = root.content {
          "the document is a single value (line \(root.position.line)), which must be on one line"
        } else {
          "the document's top level starts at column \(rootIndent + 1); start every top-level key there"
        }
      throw misindented(context)
    }
    return root
  }

  /// Whether `line` is a document marker (`---` or `...`) at column 1.
  private func isMarker(_ line: YAMLLine, _ character: Unicode.Scalar) -> Bool {
    guard line.indent == 0, line.text.count >= 3 else { return false }
    return line.text[0] == character && line.text[1] == character && line.text[2] == character
      && YAMLScalarReader(file: file, line: line).isBreak(3)
  }

  private var reader: YAMLScalarReader { YAMLScalarReader(file: file, line: lines[index]) }

  private mutating func advance() {
    index += 1
    if index < lines.count { offset = lines[index].indent }
  }

  /// The node starting at the current line and offset.
  private mutating func node(depth: Int) throws(YAMLError) -> YAMLValue {
    guard depth < YAMLParser.maximumDepth else {
      throw reader.error(
        at: offset, "nesting is deeper than \(YAMLParser.maximumDepth) levels; flatten the file")
    }
    if reader.isListItem(at: offset) {
      return try list(indent: offset, depth: depth, sharesKeyIndent: false)
    }
    if try reader.key(at: offset) != nil {
      return try map(indent: offset, depth: depth)
    }
    let value = try reader.value(at: offset)
    advance()
    return value
  }

  private mutating func map(indent: Int, depth: Int) throws(YAMLError) -> YAMLValue {
    var entries: [YAMLValue.Entry] = []
    var seen: [String: Int] = [:]
    // The key whose value sat on its own line, for the message when the
    // next line is indented as if that value went on.
    var inlineKey: (key: String, line: Int)?
    // A plain value nested on the line below its key and holding a ':'
    // (`label:x`, a key without its space), for the same message.
    var nestedText: (text: String, line: Int)?
    while index < lines.count, offset >= indent {
      let reader = self.reader
      guard offset == indent else {
        if let inlineKey {
          throw misindented(
            "the value of '\(inlineKey.key)' (line \(inlineKey.line)) is complete on its line and cannot continue here; keep a value on one line (quoted if need be), or leave nothing after '\(inlineKey.key):' to nest a map or list below it"
          )
        }
        if let nestedText {
          throw misindented(
            "the keys of this map are at column \(indent + 1); line \(nestedText.line)'s '\(nestedText.text)' was read as a value, not a key: a space must follow ':' in 'key: value'"
          )
        }
        throw misindented("the keys of this map are at column \(indent + 1); line them up")
      }
      if reader.isListItem(at: offset) {
        throw reader.error(
          at: offset,
          "a list item where a key of the map at column \(indent + 1) was expected; indent the list below its key"
        )
      }
      guard let key = try reader.key(at: offset) else {
        try reader.checkPlainStart(at: offset, isKey: false)
        let hint =
          reader.line.text[offset...].contains(":")
          ? " (a space must follow ':')" : " (found a value without a key)"
        throw reader.error(at: offset, "expected 'key: value' here" + hint)
      }
      if let first = seen[key.text] {
        throw reader.error(
          at: offset,
          "duplicate key '\(key.text)' (first on line \(first)); a key may appear once in a map")
      }
      seen[key.text] = key.position.line
      let valueStart = reader.skipSpaces(from: key.end)
      let value: YAMLValue
      nestedText = nil
      if reader.isEndOfContent(valueStart) {
        advance()
        inlineKey = nil
        if index < lines.count, offset > indent {
          value = try node(depth: depth + 1)
          if case .scalar(let text, .plain) = value.content, text.contains(":") {
            nestedText = (text, value.position.line)
          }
        } else if index < lines.count, offset == indent, self.reader.isListItem(at: offset) {
          // `key:` with its list at the same indentation, a common style.
          value = try list(indent: indent, depth: depth + 1, sharesKeyIndent: true)
        } else {
          value = YAMLValue(.empty, at: key.position)
        }
      } else {
        value = try reader.value(at: valueStart)
        advance()
        inlineKey = (key.text, key.position.line)
      }
      entries.append(YAMLValue.Entry(key: key.text, keyPosition: key.position, value: value))
    }
    let start = entries.first?.keyPosition ?? SourcePosition(line: 1, column: indent + 1)
    return YAMLValue(.map(entries), at: start)
  }

  /// A list whose dashes are at `indent`. When it shares its key's
  /// indentation, a line there that is not an item ends the list and
  /// belongs to the map around it.
  private mutating func list(indent: Int, depth: Int, sharesKeyIndent: Bool) throws(YAMLError)
    -> YAMLValue
  {
    var items: [YAMLValue] = []
    var start: SourcePosition?
    var inlineItemLine: Int?
    while index < lines.count, offset >= indent {
      let reader = self.reader
      guard offset == indent else {
        if let inlineItemLine {
          throw misindented(
            "the item on line \(inlineItemLine) is complete on its line and cannot continue here; keep a value on one line (quoted if need be)"
          )
        }
        throw misindented("the items of this list are at column \(indent + 1); line them up")
      }
      guard reader.isListItem(at: offset) else {
        if sharesKeyIndent { break }
        throw reader.error(
          at: offset,
          "expected a list item ('- ...') here, like the others of the list at column \(indent + 1)"
        )
      }
      let dash = reader.position(offset)
      start = start ?? dash
      let content = reader.skipSpaces(from: offset + 1)
      let item: YAMLValue
      if reader.isEndOfContent(content) {
        advance()
        inlineItemLine = nil
        if index < lines.count, offset > indent {
          item = try node(depth: depth + 1)
        } else {
          item = YAMLValue(.empty, at: dash)
        }
      } else {
        offset = content
        item = try node(depth: depth + 1)
        if case .scalar = item.content { inlineItemLine = dash.line } else { inlineItemLine = nil }
      }
      items.append(item)
    }
    return YAMLValue(.list(items), at: start ?? SourcePosition(line: 1, column: indent + 1))
  }

  /// The current line is indented where no block lines up.
  private func misindented(_ context: String) -> YAMLError {
    reader.error(
      at: offset, "bad indentation: this line starts at column \(offset + 1), but \(context)")
  }
}
