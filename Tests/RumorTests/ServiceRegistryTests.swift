import Foundation
import Rumor
import Synchronization
import Testing

/// A backend stand-in that answers every path with 200 or 503 as told.
final class FlakyBackend: Sendable {
  private final class Flag: Sendable {
    let value = Atomic<Bool>(true)
  }

  private let flag = Flag()
  let server: HTTPResponder

  init() throws {
    let flag = self.flag
    server = try HTTPResponder(bind: anyPort) { _ in
      flag.value.load(ordering: .acquiring)
        ? HTTPResponse(body: "ok") : HTTPResponse(status: 503, body: "down")
    }
  }

  func set(healthy value: Bool) { flag.value.store(value, ordering: .releasing) }
}

@Suite("Services advertised by nodes and resolved from the gossip view")
struct ServiceRegistryTests {
  /// A fast check: every 100 ms, critical after 2 failures.
  func fastCheck() -> HealthCheck {
    HealthCheck(
      kind: .http, path: "/health", interval: .milliseconds(100), timeout: .milliseconds(500),
      failuresBeforeCritical: 2, successesBeforePassing: 1)
  }

  func localConfiguration() throws -> EffectiveConfiguration {
    try ConfigurationLoader.effective(DiscoveryConfiguration(), host: HostEnvironment())
  }

  @Test("a checked service is resolved by other nodes and failed over when its check fails")
  func failover() async throws {
    let first = try FlakyBackend()
    let second = try FlakyBackend()
    defer {
      first.server.stop()
      second.server.stop()
    }
    func backend(_ server: FlakyBackend) -> AdvertisedService {
      AdvertisedService(
        name: "backend", url: ServiceURL(scheme: "http", port: server.server.address.port),
        check: fastCheck())
    }
    let nodeA = try RumorNode.start(
      NodeConfiguration(
        name: "svc-a", bind: anyPort, settings: testSettings(), services: [backend(first)],
        seed: 11))
    let nodeB = try RumorNode.start(
      NodeConfiguration(
        name: "svc-b", bind: anyPort, settings: testSettings(), services: [backend(second)],
        seed: 12))
    let client = try RumorNode.start(
      NodeConfiguration(name: "client", bind: anyPort, settings: testSettings(), seed: 13))
    let nodes = [nodeA, nodeB, client]
    defer { Task { for node in nodes { await node.shutdown() } } }
    try await nodeB.join(addresses: [nodeA.address])
    try await client.join(addresses: [nodeA.address])
    let registry = ServiceRegistry(
      configuration: try localConfiguration(), node: client, variables: [:])

    func instances(_ health: ServiceHealth) -> Set<String> {
      Set(
        (registry.catalog.instances["backend"] ?? []).filter {
          $0.health == health && $0.memberState == .alive
        }.map(\.node))
    }
    func passing() -> Set<String> { instances(.passing) }
    #expect(
      await eventually(within: 30) { passing() == ["svc-a", "svc-b"] },
      "catalog: \(registry.catalog.instances)")
    let picks = try (0..<4).map { _ in try registry.resolve("backend").instance?.node ?? "-" }
    #expect(Set(picks) == ["svc-a", "svc-b"], "round robin over both: \(picks)")
    #expect(
      try registry.url(for: "backend", path: "/api")
        .hasSuffix("/api"))

    // The primary is the first by node name whatever round robin picks
    // meanwhile, and asking for it moves no cursor; the backup is the
    // other one (`rumor demo` named the round robin's pick as the primary,
    // and the backup was then the same instance).
    let next = try registry.resolve("backend").instance?.node
    for _ in 0..<3 { #expect(try registry.primary("backend").instance?.node == "svc-a") }
    #expect(try registry.resolve("backend").instance?.node != next, "the cursor moved once")
    #expect(
      try registry.backupURL(for: "backend")
        == "http://127.0.0.1:\(second.server.address.port)")

    // A's health endpoint fails: its node gossips critical and every
    // resolver moves to B.
    first.set(healthy: false)
    #expect(
      await eventually(within: 30) { instances(.critical) == ["svc-a"] },
      "catalog: \(registry.catalog.instances)")
    for _ in 0..<4 {
      let resolution = try registry.resolve("backend")
      #expect(resolution.instance?.node == "svc-b")
      #expect(resolution.explanation[1].contains("svc-a"), "\(resolution.explanation)")
    }
    let report = await registry.checkHealth(of: "backend")
    #expect(report.status == .healthy)
    #expect(report.node == "svc-b")
    #expect(nodeA.advertisedServices.first?.health == .critical)
    #expect(nodeA.advertisedServices.first?.lastCheck?.statusCode == 503)

    // It recovers; then B's node dies and A takes everything.
    first.set(healthy: true)
    #expect(await eventually(within: 30) { passing() == ["svc-a", "svc-b"] })
    await nodeB.shutdown()
    #expect(
      await eventually(within: 40) { passing() == ["svc-a"] },
      "catalog: \(registry.catalog.instances)")
    #expect(try registry.resolve("backend").instance?.node == "svc-a")
  }

  @Test("advertise and withdraw change the tags; tags that do not fit change nothing")
  func advertiseAndWithdraw() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(
        name: "tags", bind: anyPort, settings: testSettings(), tags: ["role": "cache"], seed: 21))
    defer { Task { await node.shutdown() } }
    func tags() throws -> [String: String] {
      try SerfTags.decode(try #require(node.members.first { $0.name == "tags" }).meta)
    }
    try await node.advertise(
      AdvertisedService(name: "redis", url: ServiceURL(scheme: "redis", port: 6379)))
    #expect(
      await eventually(within: 30) {
        (try? tags()) == ["role": "cache", "svc.redis": "redis://:6379"]
      })

    let huge = AdvertisedService(
      name: "big",
      url: ServiceURL(scheme: "http", port: 80, path: "/" + String(repeating: "x", count: 600)))
    await #expect(throws: (any Error).self) { try await node.advertise(huge) }
    #expect(node.advertisedServices.map(\.service.name) == ["redis"])
    await #expect(throws: (any Error).self) {
      try await node.advertise(
        AdvertisedService(name: "Not A Name", url: ServiceURL(scheme: "http", port: 80)))
    }

    try await node.setTags(["role": "primary"])
    #expect(await eventually(within: 30) { (try? tags())?["role"] == "primary" })
    #expect((try tags())["svc.redis"] == "redis://:6379", "service tags survive setTags")

    #expect(try await node.withdraw("redis"))
    #expect(try await !node.withdraw("redis"))
    #expect(await eventually(within: 30) { (try? tags()) == ["role": "primary"] })
  }

  @Test("a service with a check starts critical until the check passes")
  func startsCritical() async throws {
    // Nothing listens on this port: the check fails and the service stays critical.
    let closed = try HTTPResponder(bind: anyPort) { _ in HTTPResponse() }
    let port = closed.address.port
    closed.stop()
    let node = try RumorNode.start(
      NodeConfiguration(
        name: "crit", bind: anyPort, settings: testSettings(),
        services: [
          AdvertisedService(
            name: "redis", url: ServiceURL(scheme: "redis", port: port),
            check: HealthCheck(kind: .redis, interval: .milliseconds(100)))
        ], seed: 31))
    defer { Task { await node.shutdown() } }
    #expect(await eventually(within: 30) { !node.members.isEmpty })
    let tags = try SerfTags.decode(try #require(node.members.first).meta)
    #expect(tags == ["svc.redis": "redis://:\(port)", "health.redis": "critical"])
    #expect(await eventually(within: 30) { node.advertisedServices.first?.lastCheck != nil })
    #expect(node.advertisedServices.first?.health == .critical)
    #expect(node.advertisedServices.first?.lastCheck?.passed == false)
  }

  @Test("the node reports its own services' health changes as they happen")
  func healthChangesAreEvents() async throws {
    let backend = try FlakyBackend()
    defer { backend.server.stop() }
    let node = try RumorNode.start(
      NodeConfiguration(
        name: "hc-1", bind: anyPort, settings: testSettings(),
        services: [
          AdvertisedService(
            name: "backend",
            url: ServiceURL(scheme: "http", port: backend.server.address.port),
            check: fastCheck())
        ], seed: 14))
    let changes = StreamRecorder(node.serviceHealthChanges())
    defer { changes.cancel() }
    #expect(await eventually(within: 10) { !changes.elements.isEmpty })
    #expect(changes.elements.first?.service.name == "backend")
    #expect(changes.elements.first?.health == .passing)
    backend.set(healthy: false)
    // One failure warns, the second (failuresBeforeCritical 2) is critical.
    #expect(await eventually(within: 10) { changes.elements.count >= 3 })
    let healths = changes.elements.map(\.health)
    #expect(healths == [.passing, .warning, .critical], "\(healths)")
    #expect(changes.elements.last?.lastCheck?.error?.contains("503") == true)
    await node.shutdown()
    #expect(await eventually(within: 10) { changes.ended }, "the stream ends with the node")
  }

  @Test("serviceURL answers from the shared registry")
  func sharedRegistry() throws {
    let registry = ServiceRegistry(
      configuration: try ConfigurationLoader.effective(
        DiscoveryConfiguration(),
        host: HostEnvironment(variables: ["AUTOBOT_DEPLOYMENT_MODE": "docker_local"])),
      variables: [:])
    registry.share()
    #expect(try serviceURL("redis") == "redis://autobot-redis:6379")
    #expect(
      try serviceURL("ai-stack", path: "/api/process") == "http://autobot-ai-stack:8080/api/process"
    )
    #expect(throws: ResolutionError.self) { try serviceURL("no-such-service") }
  }
}
