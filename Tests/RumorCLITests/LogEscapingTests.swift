import CommandLineSupport
import Rumor
import Testing

@testable import RumorCLI

@Suite("Names and tags from the network are escaped in log lines")
struct LogEscapingTests {
  private func member(_ name: String, meta: [UInt8] = []) -> Member {
    Member(
      name: name, address: NodeAddress(ipv4: 127, 0, 0, 1, port: 7946), meta: meta,
      incarnation: 1, state: .alive, versions: .rumor)
  }

  @Test("a member name cannot forge a log line or another field")
  func forgedLine() {
    let hostile = "a\n2026-12-06T12:00:00.000Z failed db-1 10.0.0.1:7946 incarnation 9"
    for event in [MembershipEvent.joined(member(hostile)), .failed(member(hostile))] {
      let line = AgentCommand.eventLine(event, at: "T")
      #expect(!line.contains("\n"))
      #expect(line.hasPrefix("T \(event.verb) \"a\\n2026-12-06T12:00:00.000Z failed db-1 "))
      #expect(line.hasSuffix("\" 127.0.0.1:7946 incarnation 1"))
    }
    #expect(
      AgentCommand.eventLine(.joined(member("web-1")), at: "T")
        == "T joined web-1 127.0.0.1:7946 incarnation 1")
  }

  @Test("controls, quotes, backslashes, bidi overrides and spaces are escaped or quoted")
  func escapes() {
    #expect("web-1.dc1".logField == "web-1.dc1")
    #expect("café-ü".logField == "café-ü")
    #expect("two words".logField == "\"two words\"")
    #expect("".logField == "\"\"")
    #expect("a\"b".logField == "\"a\\\"b\"")
    #expect("a\\b".logField == "\"a\\\\b\"")
    #expect("a\r\tb".logField == "\"a\\r\\tb\"")
    #expect("\u{1B}[31mred".logField == "\"\\u{1B}[31mred\"")
    #expect("a\u{0}b\u{7F}".logField == "\"a\\u{0}b\\u{7F}\"")
    #expect("evil\u{202E}txt".logField == "\"evil\\u{202E}txt\"")
    #expect("a\u{2028}b".logField == "\"a\\u{2028}b\"")
    #expect("a\u{85}b".logField == "\"a\\u{85}b\"")
    #expect("HTTP 500: bad\nline".logText == "HTTP 500: bad\\nline")
  }

  @Test("rumor members escapes names and tags in its table")
  func membersTable() throws {
    let meta = try SerfTags.encode(["role": "x\ny"])
    let table = MembersCommand.table([member("a\nb", meta: meta)])
    #expect(table.split(separator: "\n").count == 2)
    #expect(table.contains("\"a\\nb\""))
    #expect(table.contains("role=x\\ny"))
  }
}
