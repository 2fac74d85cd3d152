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
    guard let promtoolExecutable else {
      print("skipped the promtool check: promtool is not installed (apt-get install prometheus)")
      return
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rumor-metrics-\(getpid()).txt")
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
}
