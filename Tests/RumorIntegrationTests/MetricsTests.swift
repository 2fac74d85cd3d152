import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The path of `promtool` (Debian `prometheus`), nil when it is missing.
let promtoolExecutable: URL? = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }
  .map { URL(fileURLWithPath: $0) }

@Suite("Prometheus metrics of a live node, checked by promtool")
struct MetricsTests {
  @Test("a node with members, services, breakers and DNS counters renders metrics promtool accepts")
  func promtoolAccepts() async throws {
    let dnsPort = freePort()
    var configuration = NodeConfiguration(
      name: "metrics-\"node\"\n", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0))
    configuration.settings = SWIMSettings(profile: .local)
    configuration.tags = ["svc.web": "http://:1", "svc.we\"ird": "http://:2"]
    configuration.services = [
      AdvertisedService(
        name: "api", url: try ServiceURL(parsing: "http://127.0.0.1:1"),
        check: HealthCheck.standard(
          forService: "api", url: try ServiceURL(parsing: "http://127.0.0.1:1")))
    ]
    let node = try RumorNode.start(configuration)
    var peerConfiguration = NodeConfiguration(
      name: "metrics-peer", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0))
    peerConfiguration.settings = SWIMSettings(profile: .local)
    let peer = try RumorNode.start(peerConfiguration)
    defer {
      Task {
        await peer.shutdown()
        await node.shutdown()
      }
    }
    _ = try await peer.join(addresses: [node.address])
    #expect(await eventually(within: 10) { node.members.count == 2 })
    let registry = ServiceRegistry(
      configuration: try ConfigurationLoader.effective(
        file: nil, host: HostEnvironment(variables: [:])),
      node: node, variables: [:])
    try registry.reportFailure("http://127.0.0.1:1")
    let server = try DNSServer(
      bind: NodeAddress(ipv4: 127, 0, 0, 1, port: dnsPort),
      answerer: DNSAnswerer(
        domain: DNSName("rumor.") ?? .root, directory: .live(registry: registry, node: node)))
    defer { server.stop() }
    if digExecutable != nil {
      _ = await dig(port: dnsPort, ["web.service.rumor"])
      _ = await dig(port: dnsPort, ["nope.service.rumor"])
    }

    let text = prometheusText(node: node, registry: registry, dns: server.counters)
    #expect(text.contains("rumor_members{status=\"alive\"} 2"))
    #expect(text.contains("# TYPE rumor_dns_queries_total counter"))
    #expect(text.contains("rumor_service_health{service=\"api\",health=\"critical\"}"))
    #expect(
      text.contains(
        "rumor_circuit_breaker_state{service=\"web\",node=\"metrics-\\\"node\\\"\\n\",state=\"closed\"} 1"
      ),
      "\(text)")
    if digExecutable != nil {
      #expect(text.contains("rumor_dns_responses_total{rcode=\"NXDOMAIN\"} 1"), "\(text)")
    }
    try await Self.promtoolCheck(text, name: "rumor-metrics")
  }

  /// Runs `promtool check metrics` on `text` (skipping, and saying why,
  /// when promtool is not installed) and expects it to find nothing.
  static func promtoolCheck(_ text: String, name: String) async throws {
    guard let promtoolExecutable else {
      print("skipped the promtool check: promtool is not installed (apt-get install prometheus)")
      return
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "\(name)-\(getpid()).txt")
    try Data(text.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    // promtool reads the metrics on standard input.
    let check = try ChildProcess(
      URL(fileURLWithPath: "/bin/sh"),
      ["-c", "\"$0\" check metrics < \"$1\"", promtoolExecutable.path, file.path])
    await check.exit(within: 30)
    #expect(check.process.terminationStatus == 0, "promtool: \(check.log)\n\(text)")
    #expect(check.log.isEmpty, "promtool found problems: \(check.log)")
  }

  @Test("a live agent serves /metrics over its HTTP API, and curl's copy passes promtool")
  func agentServesMetrics() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let agent = try AgentProcess(
      name: "metrics-agent", arguments: ["--http", "127.0.0.1:0", "--dns", "127.0.0.1:0"])
    defer { agent.stop(signal: SIGKILL) }
    // A lookup through the API, counted by the registry the endpoint reads.
    _ = try await curl([try apiURL(agent, "/v1/resolve/nothing-here")])
    let reply = try await curl([try apiURL(agent, "/metrics")])
    #expect(reply.status == 200)
    #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
    #expect(reply.body.contains("rumor_members{status=\"alive\"} 1"), "\(reply.body)")
    #expect(reply.body.contains("rumor_resolutions_total{source=\"none\"} 1"), "\(reply.body)")
    #expect(reply.body.contains("rumor_http_requests_total"))
    #expect(reply.body.contains("rumor_dns_queries_total"))
    try await Self.promtoolCheck(reply.body, name: "rumor-agent-metrics")
  }
}
