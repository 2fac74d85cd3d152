import Rumor
import Testing

@Suite("The Server-Sent Events encoder")
struct ServerSentEventTests {
  @Test("an event is its fields, one data line per line, and a blank line")
  func plain() {
    let event = ServerSentEvent(event: "failed", id: "7", data: "{\"a\":1}")
    #expect(
      String(decoding: event.encoded, as: UTF8.self) == "event: failed\nid: 7\ndata: {\"a\":1}\n\n")
  }

  @Test(
    "line breaks in data become data lines; in event and id, spaces: nothing can forge an event")
  func hostile() {
    let event = ServerSentEvent(
      event: "x\n\ndata: forged", id: "1\r2", data: "one\r\ntwo\rthree\n\nevent: forged")
    let text = String(decoding: event.encoded, as: UTF8.self)
    #expect(
      text
        == "event: x  data: forged\nid: 1 2\ndata: one\ndata: two\ndata: three\ndata: \ndata: event: forged\n\n"
    )
    // Exactly one blank line: one event.
    #expect(text.components(separatedBy: "\n\n").count == 2)
  }

  @Test("a comment is one line that clients ignore")
  func comment() {
    #expect(String(decoding: ServerSentEvent.comment("beat\nx"), as: UTF8.self) == ": beat x\n\n")
  }
}
