import Foundation
import Rumor
import RumorCore
import RumorWire
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("rumor event, query, join, leave and monitor through the agent")
struct SerfVerbTests {
  func rumor(_ arguments: [String], within seconds: Double = 30) async throws
    -> (status: Int32, output: String)
  {
    try await rumorCommand(arguments, within: seconds)
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

  @Test(
    "monitor streams a join as it happens, shows recent lines to a late monitor, filters by level, and ends cleanly on Ctrl-C"
  )
  func monitor() async throws {
    let watched = try AgentProcess(name: "mon-a", arguments: ["--http", "127.0.0.1:0"])
    defer { watched.stop(signal: SIGKILL) }
    let agent = ["--agent", watched.httpAddress?.description ?? ""]
    let executable = buildDirectory.appendingPathComponent("rumor")
    let lines = try ChildProcess(executable, ["monitor"] + agent)
    let json = try ChildProcess(executable, ["monitor", "--json"] + agent)
    let warnings = try ChildProcess(executable, ["monitor", "--log-level", "warning"] + agent)
    defer {
      for child in [lines, json, warnings] { child.stop(signal: SIGKILL) }
    }
    // A moment for the monitors to connect.
    try await Task.sleep(for: .seconds(1))
    let joiner = try AgentProcess(
      name: "mon-b", arguments: ["--join", watched.address?.description ?? ""])
    defer { joiner.stop(signal: SIGKILL) }
    #expect(
      await eventually(within: 15) { lines.log.contains("joined mon-b") }, "\(lines.log)")
    #expect(await eventually(within: 5) { json.log.contains("joined mon-b") }, "\(json.log)")
    let record = json.log.split(separator: "\n").first { $0.contains("joined mon-b") }
    let parsed = record.flatMap { try? JSONParser.parse(Array($0.utf8)) }
    #expect(parsed?["level"] == .string("info"), "\(json.log)")
    // A monitor that connects later gets the recent lines first, once.
    let late = try ChildProcess(executable, ["monitor"] + agent)
    defer { late.stop(signal: SIGKILL) }
    #expect(await eventually(within: 10) { late.log.contains("joined mon-b") }, "\(late.log)")
    #expect(late.log.contains("started mon-a"), "\(late.log)")
    #expect(late.log.components(separatedBy: "joined mon-b").count == 2, "\(late.log)")
    // Ctrl-C ends each monitor at once, with status 0.
    for child in [lines, json, warnings, late] {
      kill(child.process.processIdentifier, SIGINT)
      #expect(await child.exit(within: 5))
      #expect(child.process.terminationStatus == 0, "\(child.log)")
    }
    #expect(!warnings.log.contains("joined"), "\(warnings.log)")
    let unreachable = try await rumor(["monitor", "--agent", "127.0.0.1:1"])
    #expect(unreachable.status == 1, "\(unreachable.output)")
    #expect(unreachable.output.contains("no agent answers"), "\(unreachable.output)")
    let badLevel = try await rumor(["monitor", "--log-level", "loud"] + agent)
    #expect(badLevel.status == 2, "\(badLevel.output)")
  }
}
