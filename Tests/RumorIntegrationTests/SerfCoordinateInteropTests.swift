import Foundation
import Rumor
import RumorWire
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The milliseconds in a line "Estimated A <-> B rtt: 0.412 ms".
private func estimatedMilliseconds(_ output: String) -> Double? {
  guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Estimated ") }),
    let colon = line.lastIndex(of: ":")
  else { return nil }
  let words = line[line.index(after: colon)...].split(separator: " ")
  guard words.count == 2, words[1] == "ms" else { return nil }
  return Double(words[0])
}

@Suite(
  "Network coordinates shared by Serf and Rumor agents", .serialized,
  .enabled(if: serfExecutable != nil, "serf is not installed: apt-get install -y serf"))
struct SerfCoordinateInteropTests {
  @Test("serf rtt estimates round trips to rumor agents, and rumor rtt reports serf's coordinate")
  func rttBothWays() async throws {
    let serfExecutable = try #require(serfExecutable)
    let serf = try SerfAgent(name: "cs0")
    let first = try AgentProcess(
      name: "cr0", arguments: ["--join", serf.address.description, "--http", "127.0.0.1:0"])
    let second = try AgentProcess(name: "cr1", arguments: ["--join", serf.address.description])
    defer { killAll(serf, first, second) }
    func serfRTT(_ nodes: [String]) async -> (status: Int32, output: String) {
      guard
        let child = try? ChildProcess(
          serfExecutable, ["rtt", "-rpc-addr=127.0.0.1:\(serf.rpcPort)"] + nodes)
      else { return (-1, "") }
      guard await child.exit(within: 10) else {
        child.stop(signal: SIGKILL)
        return (-1, child.log)
      }
      return (child.process.terminationStatus, child.log)
    }
    // Serf caches a peer's coordinate only once it decoded it from an
    // ack and accepted it: an estimate means Rumor's coordinates are
    // Serf's, byte for byte and number for number.
    var last = (status: Int32(-1), output: "")
    let serfEstimates = await eventually(within: 30) {
      last = await serfRTT(["cr0", "cs0"])
      guard last.status == 0 else { return false }
      last = await serfRTT(["cr0", "cr1"])
      return last.status == 0
    }
    #expect(serfEstimates, "serf rtt: \(last.output)")
    let toSerf = try #require(estimatedMilliseconds(await serfRTT(["cr0", "cs0"]).output))
    let between = try #require(estimatedMilliseconds(await serfRTT(["cr0", "cr1"]).output))
    // Loopback: well under 50 ms, and above zero (heights are at least 10 µs each).
    #expect(toSerf > 0 && toSerf < 50, "serf rtt cr0 cs0: \(toSerf) ms")
    #expect(between > 0 && between < 50, "serf rtt cr0 cr1: \(between) ms")

    // The other way: rumor rtt gets serf's own coordinate through a rumor agent.
    let peer = try #require(first.address).description
    let text = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      ["rtt", "cs0", "cr1", "--peer", peer, "--timeout", "20"])
    let finished = await text.exit(within: 40)
    #expect(finished && text.process.terminationStatus == 0, "\(text.log)")
    let estimate = try #require(estimatedMilliseconds(text.log), "\(text.log)")
    #expect(estimate > 0 && estimate < 50, "rumor rtt cs0 cr1: \(text.log)")
    #expect(text.log.contains("Estimated cs0 <-> cr1 rtt: "))

    let json = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      ["rtt", "cs0", "--peer", serf.address.description, "--timeout", "20", "--json"])
    #expect(await json.exit(within: 40), "\(json.log)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.log.utf8)) as? [String: Any], "\(json.log)")
    // Without a second name, the estimate is from the --peer node: serf itself.
    #expect(object["to"] as? String == "cs0")
    let serfCoordinate = try #require(object["from_coordinate"] as? [String: Any])
    #expect((serfCoordinate["vec"] as? [Double])?.count == 8)
    #expect((serfCoordinate["error"] as? Double).map { $0 > 0 && $0 <= 1.5 } == true)

    // Through cr0's HTTP API, as serf rtt asks its agent: curl reads the
    // coordinates cr0 holds, and rumor rtt estimates from them.
    let agent = try #require(first.httpAddress).description
    if curlExecutable != nil {
      var reply = try await curl(["http://\(agent)/v1/coordinate/cs0"])
      #expect(
        await eventually(within: 20) {
          reply = (try? await curl(["http://\(agent)/v1/coordinate/cs0"])) ?? reply
          return reply.status == 200
        }, "\(reply.body)")
      #expect(reply.json?["node"] == .string("cs0"), "\(reply.body)")
      if case .array(let vector)? = reply.json?["coordinate"]?["vec"] {
        #expect(vector.count == 8, "\(reply.body)")
      } else {
        Issue.record("no coordinate vector: \(reply.body)")
      }
      let unknown = try await curl(["http://\(agent)/v1/coordinate/nobody"])
      #expect(unknown.status == 404, "\(unknown.body)")
      #expect(unknown.body.contains("not a member"), "\(unknown.body)")
    }
    var viaAgent = (status: Int32(-1), output: "")
    #expect(
      await eventually(within: 20) {
        viaAgent = (try? await rumorCommand(["rtt", "cs0", "cr1", "--agent", agent])) ?? viaAgent
        return viaAgent.status == 0
      }, "\(viaAgent.output)")
    let throughAgent = try #require(estimatedMilliseconds(viaAgent.output), "\(viaAgent.output)")
    #expect(throughAgent > 0 && throughAgent < 50, "\(viaAgent.output)")
    #expect(viaAgent.output.contains("Estimated cs0 <-> cr1 rtt: "))
    // Without a second name, the estimate is from the agent's own node.
    let own = try await rumorCommand(["rtt", "cs0", "--agent", agent, "--json"])
    #expect(own.status == 0, "\(own.output)")
    let ownObject = try? JSONParser.parse(Array(own.output.utf8))
    #expect(ownObject?["to"] == .string("cr0"), "\(own.output)")
  }
}
