import CommandLineSupport
import Rumor
import Testing

@testable import RumorCLI

@Suite("rumor rtt")
struct RTTCommandTests {
  @Test("bad command lines exit 2 with one line that says what was wrong")
  func usageErrors() async {
    for arguments in [
      ["rtt"], ["rtt", "a", "b", "c", "--peer", "127.0.0.1:1"],
      ["rtt", "a", "--peer", "127.0.0.1:1", "--agent", "127.0.0.1:1"],
      ["rtt", "a", "--bind", "127.0.0.1:0", "--agent", "127.0.0.1:1"],
      ["rtt", "--peer", "127.0.0.1:1"], ["rtt", "a", "--peer", "127.0.0.1:1", "--timeout", "0"],
      ["rtt", "a", "--peer", "127.0.0.1:1", "--bind", "not-an-ip"],
    ] {
      let result = await runRumor(arguments)
      #expect(result.status == 2, "\(arguments): \(result.err)")
      #expect(result.err.count == 1, "\(arguments): \(result.err)")
    }
  }

  @Test("help says how the estimate is made")
  func help() async {
    let result = await runRumor(["rtt", "--help"])
    #expect(result.status == 0)
    let text = result.out.joined(separator: "\n")
    #expect(text.contains("short-lived node"))
    #expect(text.contains("GET /v1/coordinate/NODE"))
    #expect(text.contains("Estimated NODE <-> NODE2 rtt"))
  }

  @Test(
    "without --peer it asks the agent, and an agent that does not answer is a failure saying so")
  func noAgent() async {
    let result = await runRumor(["rtt", "a", "--agent", "127.0.0.1:1"])
    #expect(result.status == 1, "\(result.err)")
    #expect(result.err.first?.contains("no agent answers at 127.0.0.1:1") == true, "\(result.err)")
  }

  @Test("a peer nobody answers at is a failure, after the node gave up joining")
  func unreachablePeer() async {
    let result = await runRumor(["rtt", "a", "--peer", "127.0.0.1:9", "--timeout", "1"])
    #expect(result.status == 1, "\(result.err)")
    #expect(result.err.first?.contains("cannot join through 127.0.0.1:9") == true, "\(result.err)")
  }

  @Test("a name that is no member is a failure that reads as a sentence")
  func notAMember() async throws {
    // Before 2026-12-07: "could not find a coordinate for nobody is not a
    // member within 1000.000 ms".
    let node = try RumorNode.start(
      NodeConfiguration(name: "rtt-seed", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    let result = await runRumor([
      "rtt", "nobody", "--peer", node.boundAddress.description, "--timeout", "1",
    ])
    #expect(result.status == 1, "\(result.err)")
    #expect(
      result.err == ["rumor rtt: no coordinate within 1s: nobody is not a member"],
      "\(result.err)")
    await node.shutdown()
  }

  @Test("milliseconds are printed with three decimals, as serf rtt prints them")
  func format() {
    #expect(RTTCommand.format(0.4123) == "0.412")
    #expect(RTTCommand.format(12) == "12.000")
    #expect(RTTCommand.format(0.0005) == "0.001")
    #expect(RTTCommand.format(1.05) == "1.050")
  }
}
