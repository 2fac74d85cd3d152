import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("rumor event, query, join and leave through the agent")
struct SerfVerbTests {
  /// Runs `rumor ARGUMENTS` and returns its exit status and output.
  func rumor(_ arguments: [String], within seconds: Double = 30) async throws
    -> (status: Int32, output: String)
  {
    let child = try ChildProcess(buildDirectory.appendingPathComponent("rumor"), arguments)
    await child.exit(within: seconds)
    return (child.process.terminationStatus, child.log)
  }

  @Test(
    "join brings a second agent in, event reaches it, query gets its answer, leave ends the agent")
  func verbs() async throws {
    let asker = try AgentProcess(name: "verb-a", arguments: ["--http", "127.0.0.1:0"])
    defer { asker.stop(signal: SIGKILL) }
    let answerer = try AgentProcess(
      name: "verb-b",
      arguments: ["--event-handler", "query:greet=echo hello from $SERF_SELF_NAME"])
    defer { answerer.stop(signal: SIGKILL) }
    let agent = ["--agent", asker.httpAddress?.description ?? ""]

    let join = try await rumor(["join", answerer.address?.description ?? ""] + agent)
    #expect(join.status == 0, "\(join.output)")
    #expect(join.output.contains("contacting 1 nodes"), "\(join.output)")

    let event = try await rumor(["event", "deploy", "v2"] + agent)
    #expect(event.status == 0, "\(event.output)")
    #expect(await eventually(within: 10) { answerer.log.contains("user-event deploy ltime") })

    let query = try await rumor(["query", "greet", "--timeout", "2s", "--json"] + agent)
    #expect(query.status == 0, "\(query.output)")
    let answer = try? JSONParser.parse(Array(query.output.utf8))
    #expect(answer?["acks"] == .array([.string("verb-a"), .string("verb-b")]), "\(query.output)")
    #expect(
      answer?["responses"]?["verb-b"] == .string("hello from verb-b\n")
        || answer?["responses"]?["verb-b"] == .string("hello from verb-b"), "\(query.output)")

    // Errors say what was wrong.
    let bad = try await rumor(["event"] + agent)
    #expect(bad.status != 0 && bad.output.contains("NAME"), "\(bad.output)")
    let tooBig = try await rumor(["event", "x", String(repeating: "y", count: 600)] + agent)
    #expect(tooBig.status != 0 && tooBig.output.contains("refused"), "\(tooBig.output)")

    let leave = try await rumor(["leave"] + agent)
    #expect(leave.status == 0, "\(leave.output)")
    #expect(await eventually(within: 15) { !asker.child.isRunning })
    #expect(
      await eventually(within: 15) { answerer.log.contains("left verb-a") }, "\(answerer.log)")
  }
}
