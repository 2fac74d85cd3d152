import Testing

@testable import RumorDiscovery

@Suite("The YAML subset: rejected inputs, each at its line and column")
struct YAMLRejectedTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var line: Int
    var column: Int
    var says: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "a tab in the indentation", text: "a:\n\tb: 1\n", line: 2, column: 1, says: "tab"),
    Case(
      name: "a tab after indenting spaces", text: "a:\n  \tb: 1\n", line: 2, column: 3, says: "tab"),
    Case(name: "a flow list", text: "a: [1, 2]\n", line: 1, column: 4, says: "flow-style lists"),
    Case(
      name: "a flow map", text: "a:\n  b: {c: 1}\n", line: 2, column: 6, says: "flow-style maps"),
    Case(
      name: "a flow map as a line", text: "{a: 1}\n", line: 1, column: 1, says: "flow-style maps"),
    Case(name: "an anchor", text: "a: &x 1\n", line: 1, column: 4, says: "anchors"),
    Case(name: "an alias", text: "a: 1\nb: *x\n", line: 2, column: 4, says: "aliases"),
    Case(name: "a tag", text: "a: !!str 1\n", line: 1, column: 4, says: "tags"),
    Case(
      name: "a literal block scalar", text: "a: |\n  text\n", line: 1, column: 4,
      says: "block scalars"),
    Case(
      name: "a folded block scalar", text: "a: >-\n  text\n", line: 1, column: 4,
      says: "block scalars"),
    Case(
      name: "a second document", text: "a: 1\n---\nb: 2\n", line: 2, column: 1,
      says: "second document"),
    Case(name: "a document end marker", text: "a: 1\n...\n", line: 2, column: 1, says: "'...'"),
    Case(
      name: "a directive", text: "%YAML 1.2\n---\na: 1\n", line: 1, column: 1, says: "directives"),
    Case(
      name: "a duplicate key", text: "a: 1\nb: 2\na: 3\n", line: 3, column: 1,
      says: "duplicate key 'a' (first on line 1)"),
    Case(
      name: "a duplicate quoted key", text: "x:\n  'a': 1\n  a: 2\n", line: 3, column: 3,
      says: "duplicate key"),
    Case(
      name: "a key indented deeper than its siblings", text: "a:\n  b: 1\n   c: 2\n", line: 3,
      column: 4, says: "bad indentation"),
    Case(
      name: "a key dedented to no block", text: "a:\n    b: 1\n  c: 2\n", line: 3, column: 3,
      says: "keys of this map are at column 1"),
    Case(
      name: "a value continued on the next line", text: "a: one\n  two\n", line: 2, column: 3,
      says: "value of 'a' (line 1) is complete"),
    Case(
      name: "a list item continued on the next line", text: "- one\n  two\n", line: 2, column: 3,
      says: "item on line 1 is complete"),
    Case(
      name: "a list item among map keys", text: "a: 1\n- b\n", line: 2, column: 1,
      says: "a list item where a key"),
    Case(
      name: "a key among list items", text: "- a\nb: 1\n", line: 2, column: 1,
      says: "expected a list item"),
    Case(
      name: "a missing space after ':'", text: "a: 1\nport:6379\n", line: 2, column: 1,
      says: "a space must follow ':'"),
    Case(
      name: "a missing space after ':' in a nested map's first key",
      text: "gossip:\n  label:x\n  bind: 1\n", line: 3, column: 3,
      says: "line 2's 'label:x' was read as a value, not a key: a space must follow ':'"),
    Case(
      name: "a value without a key", text: "a: 1\njust text\n", line: 2, column: 1,
      says: "without a key"),
    Case(
      name: "': ' inside a plain value", text: "a: b: c\n", line: 1, column: 5,
      says: "put the value in quotes"),
    Case(
      name: "a list on its key's line", text: "a: - b\n", line: 1, column: 4,
      says: "a list cannot start"),
    Case(
      name: "an unclosed double quote", text: "a: \"open\n", line: 1, column: 4,
      says: "no closing \""),
    Case(
      name: "an unclosed single quote", text: "a:\n  - 'open\n", line: 2, column: 5,
      says: "no closing '"),
    Case(
      name: "text after a closing quote", text: "a: \"x\" y\n", line: 1, column: 8,
      says: "after the closing quote"),
    Case(
      name: "an unknown escape", text: "a: \"x\\qy\"\n", line: 1, column: 6, says: "unknown escape"),
    Case(
      name: "a short hex escape", text: "a: \"\\x4\"\n", line: 1, column: 5,
      says: "hexadecimal digits"),
    Case(
      name: "an escaped surrogate", text: "a: \"\\uD800\"\n", line: 1, column: 5,
      says: "not a character"),
    Case(name: "a complex key", text: "? a\n: b\n", line: 1, column: 1, says: "complex keys"),
    Case(name: "a reserved '@'", text: "a: @x\n", line: 1, column: 4, says: "reserved"),
    Case(name: "a missing key", text: ": x\n", line: 1, column: 1, says: "a key is missing"),
    Case(
      name: "a control character", text: "a: 1\nb: x\u{7}\n", line: 2, column: 5, says: "U+0007"),
    Case(
      name: "a single value over two lines", text: "one\ntwo\n", line: 2, column: 1,
      says: "single value"),
    Case(
      name: "content on the '---' line", text: "--- a: 1\n", line: 1, column: 5,
      says: "after '---'"),
  ]

  @Test("is refused with a positioned message", arguments: cases)
  func rejected(_ example: Case) {
    do {
      let value = try YAMLParser.parse(example.text, file: "bad.yml")
      Issue.record("accepted: \(value)")
    } catch {
      #expect(error.position == SourcePosition(line: example.line, column: example.column))
      #expect(error.message.contains(example.says), "message: \(error.message)")
      #expect(error.description.hasPrefix("bad.yml:\(example.line):\(example.column): "))
    }
  }

  @Test("nesting deeper than the limit is refused, not a stack overflow")
  func deepNesting() {
    let deep = String(repeating: "- ", count: 10_000) + "x\n"
    #expect(throws: YAMLError.self) { try YAMLParser.parse(deep, file: "deep.yml") }
    var indented = ""
    for level in 0..<200 { indented += String(repeating: " ", count: level) + "k:\n" }
    #expect(throws: YAMLError.self) { try YAMLParser.parse(indented, file: "deep.yml") }
  }
}
