import Rumor
import Testing

@Suite("Blocking query parameters")
struct BlockingQueryTests {
  @Test("index and wait parse; a long wait is capped; no index is no blocking")
  func parse() throws {
    #expect(try BlockingQuery.parse([:]) == nil)
    #expect(try BlockingQuery.parse(["wait": "5s"]) == nil)
    #expect(
      try BlockingQuery.parse(["index": "7", "wait": "250ms"])
        == BlockingQuery(index: 7, wait: .milliseconds(250)))
    #expect(try BlockingQuery.parse(["index": "7", "wait": "2m"])?.wait == .seconds(120))
    #expect(
      try BlockingQuery.parse(["index": "7", "wait": "9h"])?.wait == BlockingQuery.maximumWait)
    #expect(try BlockingQuery.parse(["index": "7"])?.wait == BlockingQuery.defaultWait)
  }

  @Test("bad values are errors, never a guess")
  func bad() {
    for parameters in [
      ["index": "-1"], ["index": "x"], ["index": ""], ["index": "1", "wait": "30"],
      ["index": "1", "wait": "s"], ["index": "1", "wait": "-5s"], ["index": "1", "wait": "1.5s"],
      ["index": "1", "wait": "99999999999s"], ["index": "1", "wait": "٣s"],
    ] {
      #expect(throws: BlockingQueryError.self, "\(parameters)") {
        try BlockingQuery.parse(parameters)
      }
    }
  }
}
