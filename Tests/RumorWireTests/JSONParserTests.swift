import RumorWire
import Testing

@Suite("The JSON parser")
struct JSONParserTests {
  private func parse(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
  }

  @Test("what the writer writes, the parser reads back")
  func roundTrip() throws {
    let value = JSONValue.object([
      ("a", .array([.integer(-3), .bool(true), .null, .string("x\"\\\n\u{1}é😀")])),
      ("b", .number(1.5)), ("c", .unsigned(UInt64.max)), ("d", .object([])),
    ])
    #expect(try parse(value.text) == value)
    #expect(try parse(" {\"k\" : [ 1 , 2 ] } ") == .object([("k", .array([1, 2]))]))
    #expect(try parse(#""\ud83d\ude00\/""#) == .string("😀/"))
  }

  @Test("the writer escapes quotes, backslashes and control characters, and nothing else")
  func escapes() {
    #expect(JSONValue.string("http://127.0.0.1:8042/x é😀").text == "\"http://127.0.0.1:8042/x é😀\"")
    #expect(JSONValue.string("a\"b\\c\nd\u{1}").text == #""a\"b\\c\nd\u0001""#)
    #expect(JSONValue.object([("k\t", .string(""))]).text == #"{"k\t":""}"#)
  }

  @Test("malformed, hostile and ambiguous input is an error")
  func hostile() {
    let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
    for text in [
      "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "1e", "tru", "nul",
      "\"abc", "\"\u{1}\"", "\"\\x\"", "\"\\ud800\"", "\"\\u12\"", "{\"a\":1,\"a\":2}",
      "[1] x", "{1:2}", deep, "NaN", "'a'",
    ] {
      #expect(throws: JSONParser.Failure.self, "\(text)") { try parse(text) }
    }
    #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    let shallow = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
    #expect((try? parse(shallow)) != nil)
  }
}
