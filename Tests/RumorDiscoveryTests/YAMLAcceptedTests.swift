import Testing

@testable import RumorDiscovery

/// Parses `text`, failing the test with the error if it is refused.
func parseYAML(_ text: String) throws -> YAMLValue {
  try YAMLParser.parse(text, file: "test.yml")
}

@Suite("The YAML subset: accepted inputs")
struct YAMLAcceptedTests {
  @Test("a nested map keeps its keys in file order, with their positions")
  func nestedMap() throws {
    let value = try parseYAML(
      """
      deployment:
        mode: distributed
        domain: autobot.prod
      services:
        redis:
          port: 6379
      """)
    guard case .map(let top) = value.content else {
      Issue.record("not a map: \(value)")
      return
    }
    #expect(top.map(\.key) == ["deployment", "services"])
    #expect(top[1].keyPosition == SourcePosition(line: 4, column: 1))
    #expect(value["deployment"]?["domain"]?.scalar == "autobot.prod")
    #expect(value["deployment"]?["domain"]?.position == SourcePosition(line: 3, column: 11))
    #expect(value["services"]?["redis"]?["port"]?.scalar == "6379")
    #expect(value["services"]?["redis"]?["port"]?.position == SourcePosition(line: 6, column: 11))
  }

  @Test(
    "plain scalars keep inner spaces, colons without a space, and '#' without a space before it")
  func plainScalars() throws {
    let value = try parseYAML(
      """
      url: http://:8001/api#frag
      sentence: two words   # a comment
      windows: C:\\path
      dash: -5
      """)
    #expect(value["url"]?.scalar == "http://:8001/api#frag")
    #expect(value["sentence"]?.scalar == "two words")
    #expect(value["windows"]?.scalar == "C:\\path")
    #expect(value["dash"]?.scalar == "-5")
    #expect(value["url"]?.content == .scalar("http://:8001/api#frag", .plain))
  }

  @Test("single quotes double a quote to escape it and keep backslashes and '#' as text")
  func singleQuoted() throws {
    let value = try parseYAML("a: 'it''s # not a comment \\n'  # but this is\n")
    #expect(value["a"]?.content == .scalar("it's # not a comment \\n", .singleQuoted))
  }

  @Test("double quotes resolve YAML's escapes")
  func doubleQuotedEscapes() throws {
    let value = try parseYAML(
      #"a: "tab\there\nquote\" slash\\ \x41\u00e9\U0001F600 \/ \0 \e \N \_ \L \P\ ""# + "\n")
    #expect(
      value["a"]?.scalar
        == "tab\there\nquote\" slash\\ A\u{e9}\u{1F600} / \u{0} \u{1B} \u{85} \u{A0} \u{2028} \u{2029} "
    )
  }

  @Test("quoted keys are keys, and a quoted value may hold ': ' and look like a number")
  func quotedKeysAndValues() throws {
    let value = try parseYAML(
      """
      "odd key": 'a: b'
      'port': "6379"
      """)
    #expect(value["odd key"]?.scalar == "a: b")
    #expect(value["port"]?.content == .scalar("6379", .doubleQuoted))
  }

  @Test("lists of scalars, of maps, and a list at its key's indentation")
  func lists() throws {
    let value = try parseYAML(
      """
      hosts:
        - api-01.autobot.prod:8001
        - api-02.autobot.prod:8001
      checks:
      - type: http
        path: /health
      - type: tcp
      nested:
        -
          - a
        - - b
      """)
    guard case .list(let hosts)? = value["hosts"]?.content,
      case .list(let checks)? = value["checks"]?.content,
      case .list(let nested)? = value["nested"]?.content
    else {
      Issue.record("not lists: \(value)")
      return
    }
    #expect(hosts.map(\.scalar) == ["api-01.autobot.prod:8001", "api-02.autobot.prod:8001"])
    #expect(hosts[1].position == SourcePosition(line: 3, column: 5))
    #expect(checks.count == 2)
    #expect(checks[0]["path"]?.scalar == "/health")
    #expect(checks[0]["path"]?.position == SourcePosition(line: 6, column: 9))
    #expect(checks[1]["type"]?.scalar == "tcp")
    #expect(nested.count == 2)
    #expect(
      nested[1].content == .list([YAMLValue(.scalar("b", .plain), at: .init(line: 11, column: 7))]))
  }

  @Test("a key with nothing after it and nothing below is empty, at the key's position")
  func emptyValues() throws {
    let value = try parseYAML("a:\nb: # only a comment\n")
    #expect(value["a"]?.content == .empty)
    #expect(value["b"]?.content == .empty)
    #expect(value["b"]?.position == SourcePosition(line: 2, column: 1))
  }

  @Test("comments, blank lines, a leading '---', a byte-order mark and CRLF change nothing")
  func trivia() throws {
    let plain = try parseYAML("a:\n  b: 1\nc: 2\n")
    let decorated = try parseYAML(
      "\u{FEFF}--- # start\r\n# comment\r\n\r\na:   # why\r\n\r\n    # indented comment\r\n  b: 1\r\nc: 2"
    )
    #expect(decorated["a"]?["b"]?.scalar == plain["a"]?["b"]?.scalar)
    #expect(decorated["c"]?.scalar == "2")
    #expect(decorated["c"]?.position == SourcePosition(line: 8, column: 4))
  }

  @Test("an empty document, or only comments, is empty")
  func emptyDocument() throws {
    #expect(try parseYAML("").content == .empty)
    #expect(try parseYAML("# nothing\n\n---\n").content == .empty)
  }

  @Test("a tab after the indentation separates a value, and a tab-indented comment line is ignored")
  func tabsInsideLines() throws {
    let value = try parseYAML("a:\tvalue\t# comment\n\t# comment\nb: 'x'\t\n")
    #expect(value["a"]?.scalar == "value")
    #expect(value["b"]?.scalar == "x")
  }

  @Test("a document indented as a whole is read at its own indentation")
  func indentedDocument() throws {
    let value = try parseYAML("  a: 1\n  b:\n    - x\n")
    #expect(
      value["b"]?.content == .list([YAMLValue(.scalar("x", .plain), at: .init(line: 3, column: 7))])
    )
  }
}
