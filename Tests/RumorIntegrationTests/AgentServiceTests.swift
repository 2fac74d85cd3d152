import Foundation
import Rumor
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("rumor agent advertising services from its configuration", .serialized)
struct AgentServiceTests {
  /// Whether the test's backend answers 200.
  final class Health: Sendable {
    let good = Atomic<Bool>(true)
  }

  @Test(
    "an agent configured by file advertises and checks a service; a resolver elsewhere follows its health"
  )
  func configuredAgent() async throws {
    let health = Health()
    let backend = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      health.good.load(ordering: .acquiring) ? HTTPResponse(body: "ok") : HTTPResponse(status: 500)
    }
    defer { backend.stop() }
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-agent-\(UUID().uuidString).yml").path
    try """
    deployment:
      mode: local
    gossip:
      label: agent-test
    advertise:
      backend:
        url: http://:\(backend.address.port)/api
        check:
          interval: 300ms
          timeout: 250ms
          failures_before_critical: 2
    """.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }

    let owner = try AgentProcess(name: "owner", arguments: ["--config", file])
    let other = try AgentProcess(
      name: "other",
      arguments: ["--label", "agent-test", "--join", try #require(owner.address).description])
    defer { killAll(owner, other) }
    let configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(mode: .local), host: HostEnvironment())
    let peer = try #require(other.address)
    func resolution() async -> Resolution? {
      guard let members = try? await PeerQuery.members(of: peer, label: "agent-test") else {
        return nil
      }
      let registry = ServiceRegistry(configuration: configuration, members: members, variables: [:])
      return try? registry.resolve("backend", path: "/v1")
    }
    let expected = "http://127.0.0.1:\(backend.address.port)/api/v1"
    var seen: Resolution?
    #expect(
      await eventually(within: 40) {
        seen = await resolution()
        return seen?.url.description == expected
      }, "last: \(String(describing: seen)); owner log: \(owner.log)")
    #expect(seen?.instance?.node == "owner")
    #expect(owner.log.contains("advertising backend at http://:\(backend.address.port)/api"))
    #expect(await eventually(within: 30) { owner.log.contains("service backend is passing") })

    // The backend fails its checks: the owner gossips critical and the
    // other side's view stops offering it (local mode's convention answers).
    health.good.store(false, ordering: .releasing)
    #expect(
      await eventually(within: 40) {
        seen = await resolution()
        return seen?.source == .convention
      }, "last: \(String(describing: seen))")
    #expect(seen?.explanation[1].contains("owner") == true)
    #expect(seen?.explanation[1].contains("critical") == true)
    #expect(
      await eventually(within: 30) { owner.log.contains("service backend is critical (HTTP 500)") },
      "\(owner.log)")
  }

  @Test("queries take the cluster's label and key from RUMOR_LABEL and RUMOR_ENCRYPT")
  func queriesReadTheEnvironment() async throws {
    let key = "cg8StVXbQJ0gPvMd9o7yrg=="
    let agent = try AgentProcess(
      name: "labelled", arguments: ["--label", "env-test", "--encrypt", key])
    defer { agent.stop(signal: SIGKILL) }
    let peer = try #require(agent.address).description
    func members(_ environment: [String: String]) throws -> (status: Int32, log: String) {
      let child = try ChildProcess(
        buildDirectory.appendingPathComponent("rumor"),
        ["members", "--peer", peer, "--json", "--timeout", "2"], environment: environment)
      defer { child.stop(signal: SIGKILL) }
      child.process.waitUntilExit()
      // The pipe's reader may take the output a little after the exit on
      // a busy machine: wait for it, boundedly.
      for _ in 0..<100 where child.log.isEmpty { usleep(20_000) }
      return (child.process.terminationStatus, child.log)
    }
    let informed = try members(["RUMOR_LABEL": "env-test", "RUMOR_ENCRYPT": key])
    #expect(informed.status == 0, "\(informed.log)")
    #expect(informed.log.contains("\"labelled\""), "\(informed.log)")
    let uninformed = try members(["RUMOR_LABEL": "", "RUMOR_ENCRYPT": ""])
    #expect(uninformed.status == 1, "\(uninformed.log)")
  }

  @Test("queries take the cluster's key from the configuration file, none on the command line")
  func queriesReadTheFile() async throws {
    let key = "cg8StVXbQJ0gPvMd9o7yrg=="
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-query-\(UUID().uuidString).yml").path
    try "gossip:\n  label: file-test\n  encrypt:\n    - \(key)\n"
      .write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let agent = try AgentProcess(name: "keyed", arguments: ["--config", file])
    defer { agent.stop(signal: SIGKILL) }
    let peer = try #require(agent.address).description
    let cleared = ["RUMOR_LABEL": "", "RUMOR_ENCRYPT": "", "RUMOR_CONFIG": ""]
    func run(_ arguments: [String], _ environment: [String: String]) throws -> (
      status: Int32, log: String
    ) {
      let child = try ChildProcess(
        buildDirectory.appendingPathComponent("rumor"), arguments + ["--timeout", "2"],
        environment: environment)
      defer { child.stop(signal: SIGKILL) }
      child.process.waitUntilExit()
      usleep(20_000)
      return (child.process.terminationStatus, child.log)
    }
    for command in ["members", "services"] {
      let byFlag = try run([command, "--peer", peer, "--json", "--config", file], cleared)
      #expect(byFlag.status == 0, "\(command) --config: \(byFlag.log)")
      var byVariable = cleared
      byVariable["RUMOR_CONFIG"] = file
      let byEnvironment = try run([command, "--peer", peer, "--json"], byVariable)
      #expect(byEnvironment.status == 0, "\(command) with RUMOR_CONFIG: \(byEnvironment.log)")
      let without = try run([command, "--peer", peer, "--json"], cleared)
      #expect(without.status == 1, "\(command) without the key: \(without.log)")
    }
    let members = try run(["members", "--peer", peer, "--json", "--config", file], cleared)
    #expect(members.log.contains("\"keyed\""), "\(members.log)")
  }

  @Test("an invalid configuration file stops the agent with its positioned errors")
  func invalidConfiguration() throws {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-agent-bad-\(UUID().uuidString).yml").path
    try "gossip:\n  bind: here\n".write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let child = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      ["agent", "--name", "bad", "--config", file])
    defer { child.stop(signal: SIGKILL) }
    child.process.waitUntilExit()
    usleep(20_000)
    #expect(child.process.terminationStatus == 1)
    #expect(child.log.contains("\(file):2:"), "\(child.log)")
  }

  @Test("the agent says it started, and what it advertises, before the first check result")
  func startLinesFirst() async throws {
    // Failed before 2026-12-07: in local mode, a service whose port
    // refuses logged "service backend is critical (...)" before "started"
    // (the guide shows the start, then the check).
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-order-\(UUID().uuidString).yml").path
    try "deployment:\n  mode: local\n".write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let agent = try AgentProcess(
      name: "order",
      arguments: ["--config", file, "--service", "backend=http://:1/api", "--http", "127.0.0.1:0"])
    defer { killAll(agent) }
    #expect(await eventually(within: 20) { agent.log.contains("service backend is critical") })
    let lines = agent.log.split(separator: "\n")
    let advertising = try #require(lines.firstIndex { $0.contains(" advertising backend at ") })
    let checked = try #require(lines.firstIndex { $0.contains(" service backend is ") })
    #expect(advertising < checked, "\(agent.log)")
  }
}
