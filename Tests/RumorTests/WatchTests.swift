import Foundation
import Rumor
import Testing

/// "node health" per watch update, "-" for no answer.
private func watchSummary(_ updates: [ServiceRegistry.WatchUpdate]) -> [String] {
  updates.map { update in
    switch update {
    case .success(let resolution):
      return
        "\(resolution.instance?.node ?? resolution.source.rawValue) \(resolution.instance?.health.rawValue ?? "")"
    case .failure:
      return "-"
    }
  }
}

extension StreamRecorder<ServiceRegistry.WatchUpdate> {
  /// "node health" per update so far, "-" for no answer.
  fileprivate var summary: [String] { watchSummary(elements) }
}

@Suite("Watching a service")
struct WatchTests {
  /// A watcher node `PREFIX-0` (no services) and `count` nodes
  /// `PREFIX-b`, `PREFIX-c`, ... advertising api on ports `port`, `port+1`,
  /// ..., not joined yet; and a registry over the watcher's view.
  func cluster(_ prefix: String, servers count: Int, port: Int, seed: UInt64) throws
    -> (watcher: RumorNode, servers: [RumorNode], registry: ServiceRegistry)
  {
    let configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(), host: HostEnvironment(variables: ["REDIS_HOST": "pinned"]))
    let watcher = try RumorNode.start(
      NodeConfiguration(name: "\(prefix)-0", bind: anyPort, settings: testSettings(), seed: seed))
    let servers = try (0..<count).map { index in
      try RumorNode.start(
        NodeConfiguration(
          name: "\(prefix)-\(["b", "c", "d"][index])", bind: anyPort, settings: testSettings(),
          tags: ["svc.api": "http://:\(port + index)"], seed: seed + UInt64(index) + 1))
    }
    let registry = ServiceRegistry(configuration: configuration, node: watcher, variables: [:])
    return (watcher, servers, registry)
  }
  @Test("a watch yields the answer at once, then each change and never a repeat")
  func watchFollowsThePrimary() async throws {
    let (watcher, servers, registry) = try cluster("w", servers: 2, port: 8101, seed: 41)
    let (b, c) = (servers[0], servers[1])
    let recorder = StreamRecorder(registry.watch("api"))
    defer { recorder.cancel() }
    // Nothing advertises api yet: the first answer is "none".
    #expect(await eventually(within: 5) { recorder.summary == ["-"] })
    try await b.join(addresses: [watcher.address])
    try await c.join(addresses: [watcher.address])
    // The primary is the first eligible instance by node name.
    #expect(await eventually(within: 10) { recorder.summary.last == "w-b passing" })
    // b warns: c, passing, is preferred.
    try await b.setTags(["svc.api": "http://:8101", "health.api": "warning"])
    #expect(await eventually(within: 10) { recorder.summary.last == "w-c passing" })
    // c goes away: b, warning, is all there is.
    await c.leave(timeout: .seconds(2))
    await c.shutdown()
    #expect(await eventually(within: 10) { recorder.summary.last == "w-b warning" })
    // b stops advertising: no answer.
    try await b.setTags([:])
    #expect(await eventually(within: 10) { recorder.summary.last == "-" })
    let summary = recorder.summary
    for (one, next) in zip(summary, summary.dropFirst()) {
      #expect(one != next, "a repeat in \(summary)")
    }
    #expect(summary.first == "-")
    // Answers a lookup was never asked for do not appear: only these.
    #expect(
      Set(summary).isSubset(of: ["-", "w-b passing", "w-c passing", "w-b warning"]), "\(summary)")
    // The stream ends when the node stops.
    await watcher.shutdown()
    await b.shutdown()
    #expect(await eventually(within: 10) { recorder.ended }, "the watch ended with the node")
  }

  @Test("a reported failure that opens a circuit is a change")
  func breakersMoveTheWatch() async throws {
    let (watcher, servers, registry) = try cluster("x", servers: 2, port: 8201, seed: 51)
    let (b, c) = (servers[0], servers[1])
    try await b.join(addresses: [watcher.address])
    try await c.join(addresses: [watcher.address])
    #expect(await eventually(within: 10) { registry.catalog.instances["api"]?.count == 2 })
    let recorder = StreamRecorder(registry.watch("api"))
    #expect(await eventually(within: 5) { recorder.summary == ["x-b passing"] })
    let primary = try registry.resolve("api")
    let url = try #require(primary.instance?.url)
    for _ in 0..<5 { registry.reportFailure(url) }
    #expect(await eventually(within: 5) { recorder.summary == ["x-b passing", "x-c passing"] })
    recorder.cancel()
    for node in [watcher, b, c] { await node.shutdown() }
  }

  @Test("a gossip answer says how old it is; a pinned or configured one is fresh")
  func answersCarryTheirAge() async throws {
    let (watcher, servers, registry) = try cluster("y", servers: 1, port: 8301, seed: 61)
    let b = servers[0]
    try await b.join(addresses: [watcher.address])
    #expect(await eventually(within: 10) { registry.catalog.instances["api"]?.count == 1 })
    // Probes are acked every period: the answer is confirmed within seconds.
    #expect(
      await eventually(within: 10) {
        guard let age = (try? registry.resolve("api"))?.age else { return false }
        return age < .seconds(3)
      })
    #expect(watcher.timeSinceLastContact.map { $0 < .seconds(3) } == true)
    #expect(try registry.resolve("redis").age == .zero)
    // A view a peer reported has times on the peer's clock: unknown age.
    let reported = ServiceRegistry(
      configuration: registry.configuration, members: watcher.members, variables: [:])
    #expect(try reported.resolve("api").age == nil)
    for node in [watcher, b] { await node.shutdown() }
  }
}
