import Foundation
import Rumor
import Testing

@testable import RumorCLI

@Suite("rumor resolve, services and health")
struct ServiceCommandTests {
  /// A configuration file whose mode is fixed, so that this machine (a
  /// container or not) does not change the answers.
  func configuration(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-resolve-\(UUID().uuidString).yml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// A node on loopback advertising `services`.
  func node(_ name: String, services: [AdvertisedService]) throws -> RumorNode {
    try RumorNode.start(
      NodeConfiguration(
        name: name, bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0),
        settings: SWIMSettings(profile: .local), services: services, seed: 5))
  }

  @Test("resolve prints the URL and nothing else, from the mode's convention")
  func resolveConvention() async throws {
    let local = try configuration("deployment:\n  mode: local\n")
    defer { try? FileManager.default.removeItem(atPath: local) }
    let result = await runRumor(["resolve", "redis", "--config", local, "--no-agent"])
    #expect(result.status == 0)
    #expect(result.out == ["redis://localhost:6379"])
    // Standard error says the answer is a convention, not gossip.
    #expect(
      result.err == [
        "note: redis://localhost:6379 is the local mode's convention, not a gossip answer: no node was asked (give --peer HOST:PORT)"
      ])
    let docker = try configuration("deployment:\n  mode: docker_local\n")
    defer { try? FileManager.default.removeItem(atPath: docker) }
    let path = await runRumor([
      "resolve", "ai-stack", "/api/process", "--config", docker, "--no-agent",
    ])
    #expect(path.out == ["http://autobot-ai-stack:8080/api/process"])
  }

  @Test("resolve reads the brief's distributed.yml")
  func resolveDistributedFile() async {
    let result = await runRumor([
      "resolve", "ai-stack", "/api/process", "--config", "config/deployment/distributed.yml",
      "--no-agent",
    ])
    #expect(result.out == ["http://ai-worker-01.autobot.prod:8080/api/process"])
    let api = await runRumor([
      "resolve", "api", "--config", "config/deployment/distributed.yml", "--json", "--no-agent",
    ])
    #expect(api.out.first?.contains(#""url":"http://api-01.autobot.prod:8001""#) == true)
    #expect(api.out.first?.contains(#""source":"configuration""#) == true)
  }

  @Test("resolve fails with status 1 and every step's reason when nothing answers")
  func resolveNothing() async throws {
    let local = try configuration("deployment:\n  mode: local\n")
    defer { try? FileManager.default.removeItem(atPath: local) }
    let result = await runRumor(["resolve", "no-such", "--config", local, "--no-agent"])
    #expect(result.status == 1)
    #expect(result.out.isEmpty)
    #expect(result.err.last?.contains("no URL for 'no-such'") == true, "\(result.err)")
    let usage = await runRumor(["resolve"])
    #expect(usage.status == 2)
  }

  @Test("resolve --explain lists each step and which answered")
  func resolveExplain() async throws {
    let local = try configuration("deployment:\n  mode: local\n")
    defer { try? FileManager.default.removeItem(atPath: local) }
    let result = await runRumor([
      "resolve", "backend", "--config", local, "--explain", "--no-agent",
    ])
    #expect(result.out.first == "http://localhost:8001")
    #expect(result.out.contains { $0.hasPrefix("1. environment: BACKEND_HOST not set") })
    #expect(result.out.contains { $0.hasPrefix("2. gossip: no gossip view") })
    #expect(result.out.last == "answered by: convention")
  }

  @Test("services and resolve read a peer's gossip view; health checks the instance")
  func peerView() async throws {
    let backend = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      HTTPResponse(body: "ok")
    }
    defer { backend.stop() }
    let port = backend.address.port
    let peer = try node(
      "peer-1",
      services: [
        AdvertisedService(name: "backend", url: ServiceURL(scheme: "http", port: port)),
        AdvertisedService(name: "cache", url: ServiceURL(scheme: "redis", port: 1)),
      ])
    defer { Task { await peer.shutdown() } }
    let local = try configuration("deployment:\n  mode: local\n")
    defer { try? FileManager.default.removeItem(atPath: local) }
    let address = peer.address.description

    let services = await runRumor(["services", "--peer", address])
    #expect(services.status == 0)
    #expect(services.out.first?.hasPrefix("SERVICE") == true)
    #expect(
      services.out.contains { $0.contains("http://127.0.0.1:\(port)") && $0.contains("peer-1") })
    let json = await runRumor(["services", "backend", "--peer", address, "--json"])
    #expect(
      json.out == [
        #"[{"service":"backend","url":"http://127.0.0.1:\#(port)","node":"peer-1","health":"passing","member_status":"alive"}]"#
      ])

    let resolved = await runRumor([
      "resolve", "backend", "/api", "--peer", address, "--config", local,
    ])
    #expect(resolved.out == ["http://127.0.0.1:\(port)/api"])
    let cache = await runRumor(["resolve", "cache", "--peer", address, "--config", local])
    #expect(cache.out == ["redis://127.0.0.1:1"], "an unknown name found through gossip")

    let health = await runRumor(["health", "backend", "--peer", address, "--config", local])
    #expect(health.status == 0, "\(health)")
    #expect(health.out.first?.hasPrefix("✅ backend") == true, "\(health.out)")
    #expect(health.out.first?.contains("on peer-1") == true)
    let down = await runRumor(["health", "cache", "--peer", address, "--config", local, "--json"])
    #expect(down.status == 1)
    #expect(down.out.first?.contains(#""status":"unhealthy""#) == true, "\(down.out)")
  }

  @Test("services without an agent or with an unreachable peer is an error")
  func servicesErrors() async {
    let noAgent = await runRumor(["services", "--agent", "127.0.0.1:1"])
    #expect(noAgent.status == 1)
    #expect(noAgent.err.first?.contains("no agent answers at 127.0.0.1:1") == true)
    #expect(noAgent.err.first?.contains("rumor agent") == true)
    let unreachable = await runRumor(["services", "--peer", "127.0.0.1:1", "--timeout", "1"])
    #expect(unreachable.status == 1)
    #expect(!unreachable.err.isEmpty)
  }
}
