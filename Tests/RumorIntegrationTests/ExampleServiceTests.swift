import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("rumor-example-service: an HTTP service that embeds a node", .serialized)
struct ExampleServiceTests {
  /// Keeps the test's cluster apart from any other node on loopback (the
  /// local mode's default seed is 127.0.0.1:7946, which others may hold).
  static let label = "example-service-test"

  @Test(
    "two instances advertise backend and resolve each other; after a kill -9 resolution moves to the survivor, which leaves on SIGTERM with status 0"
  )
  func twoInstancesFailOver() async throws {
    let first = try ExampleInstance(name: "example-a")
    defer { first.child.stop(signal: SIGKILL) }
    let second = try ExampleInstance(name: "example-b", join: first.gossip)
    defer { second.child.stop(signal: SIGKILL) }
    let instances = [first, second]
    let urls = instances.map(\.url)

    // Both instances' own view offers both URLs, each passing its check.
    for peer in instances {
      var seen: Set<String> = []
      let found = await eventually(within: 20) {
        seen = Set(await Self.passingURLs(asSeenBy: peer.gossip))
        return seen == Set(urls)
      }
      #expect(found, "\(peer.name) offers \(seen), not \(urls); logs: \(instances.map(\.log))")
    }
    #expect(await eventually(within: 10) { first.log.contains("joined example-b at ") })
    #expect(second.log.contains("joined example-a at "))

    // The health path answers 200; `/resolve/backend` and `rumor resolve`
    // answer one of the two URLs.
    for instance in instances {
      let health = await HealthProbe.run(
        HealthCheck(kind: .http, path: "/api/system/health"), host: "127.0.0.1",
        port: instance.httpPort)
      #expect(health.statusCode == 200, "\(instance.name): \(health)")
      let root = try #require(await httpGet(port: instance.httpPort, path: "/"))
      #expect(root.status == 200)
      #expect(root.body.contains("\"node\":\"\(instance.name)\""), "\(root.body)")
      let resolved = try #require(await httpGet(port: instance.httpPort, path: "/resolve/backend"))
      #expect(resolved.status == 200)
      #expect(urls.contains { resolved.body.contains("\"url\":\"\($0)\"") }, "\(resolved.body)")
    }
    let cli = try Self.rumorResolve("backend", peer: first.gossip)
    #expect(urls.contains(cli), "rumor resolve printed \(cli)")

    // kill -9 the instance resolution answers with: the survivor stops
    // offering it as soon as it suspects it, and answers with itself.
    let victim = try #require(instances.first { $0.url == cli })
    let survivor = try #require(instances.first { $0 !== victim })
    victim.child.stop(signal: SIGKILL)
    var last: [String] = []
    let killed = Date()
    #expect(
      await eventually(within: 15) {
        last = await Self.passingURLs(asSeenBy: survivor.gossip)
        return last == [survivor.url]
      }, "\(survivor.name) still offers \(last); log: \(survivor.log)")
    #expect(Date().timeIntervalSince(killed) < 15)
    #expect(try Self.rumorResolve("backend", peer: survivor.gossip) == survivor.url)
    let after = try #require(await httpGet(port: survivor.httpPort, path: "/resolve/backend"))
    #expect(after.body.contains("\"url\":\"\(survivor.url)\""), "\(after.body)")

    // SIGTERM: the survivor leaves the cluster and exits 0.
    survivor.child.stop(signal: SIGTERM)
    #expect(!survivor.child.isRunning)
    #expect(survivor.child.process.terminationReason == .exit)
    #expect(survivor.child.process.terminationStatus == 0, "\(survivor.log)")
    #expect(
      waitFor(within: 2) { survivor.log.contains("SIGTERM: leaving the cluster") },
      "\(survivor.log)")
  }

  @Test("a bad flag stops the example with status 2 and says which")
  func badFlag() throws {
    let child = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor-example-service"), ["--http-port", "http"])
    defer { child.stop(signal: SIGKILL) }
    let deadline = Date().addingTimeInterval(10)
    while child.isRunning && Date() < deadline { usleep(20_000) }
    #expect(!child.isRunning)
    #expect(child.process.terminationStatus == 2)
    #expect(
      waitFor(within: 2) { child.log.contains("--http-port: 'http' is not a port") }, "\(child.log)"
    )
  }

  @Test(
    "the Kubernetes manifests carry the shipped configuration and set the variables the library reads"
  )
  func kubernetesManifests() throws {
    let root = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func text(_ path: String) throws -> String {
      try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }
    // The ConfigMap's block holds config/deployment/kubernetes.yml verbatim.
    let configMap = try text("k8s/10-rumor-config.yml").components(separatedBy: "\n")
    let start = try #require(configMap.firstIndex(of: "  kubernetes.yml: |")) + 1
    let block = configMap[start...].prefix { $0.isEmpty || $0.hasPrefix("    ") }
    var embedded = block.map { String($0.dropFirst(min(4, $0.count))) }
    while embedded.last == "" { embedded.removeLast() }
    let shipped = try text("config/deployment/kubernetes.yml")
    #expect(
      embedded.joined(separator: "\n") + "\n" == shipped,
      "k8s/10-rumor-config.yml is stale: regenerate it as k8s/README.md says")
    _ = try ConfigurationLoader.decode(embedded.joined(separator: "\n"), file: "rumor-config")

    // The seed Service is the one the kubernetes mode joins through.
    let seed = try text("k8s/20-rumor-gossip-service.yml")
    #expect(seed.contains("  name: \(GossipSeeds.headlessService)\n"))
    #expect(seed.contains("  namespace: \(GossipDefaults.namespace)\n"))
    #expect(seed.contains("clusterIP: None"))
    #expect(seed.contains("publishNotReadyAddresses: true"))
    #expect(
      seed.contains(
        "port: \(GossipDefaults.port)\n      targetPort: \(GossipDefaults.port)\n      protocol: UDP"
      ))
    #expect(
      seed.contains(
        "port: \(GossipDefaults.port)\n      targetPort: \(GossipDefaults.port)\n      protocol: TCP"
      ))

    // The Deployment passes the pod's facts in the variables the library
    // reads, and points RUMOR_CONFIG at the mounted ConfigMap.
    let deployment = try text("k8s/30-backend-deployment.yml")
    for (variable, field) in [
      (EnvironmentVariable.namespace, "metadata.namespace"),
      (EnvironmentVariable.nodeName, "metadata.name"),
      (EnvironmentVariable.advertise, "status.podIP"),
    ] {
      #expect(
        deployment.contains(
          "- name: \(variable)\n              valueFrom:\n                fieldRef:\n                  fieldPath: \(field)\n"
        ), "\(variable) from \(field)")
    }
    #expect(
      deployment.contains(
        "- name: \(EnvironmentVariable.configFile)\n              value: /etc/rumor/kubernetes.yml\n"
      ))
    #expect(deployment.contains("mountPath: /etc/rumor\n"))
    #expect(deployment.contains("replicas: 2\n"))
    let healthPath = try #require(KnownService.named("backend")?.healthPath)
    #expect(deployment.components(separatedBy: "path: \(healthPath)\n").count == 3)
    #expect(deployment.contains("autobot/rumor-node: \"true\""))
    #expect(seed.contains("autobot/rumor-node: \"true\""))
  }

  // MARK: Helpers

  /// The URLs of backend's passing instances on alive members, as `peer`
  /// sees them; empty when it does not answer.
  static func passingURLs(asSeenBy peer: NodeAddress) async -> [String] {
    guard
      let members = try? await PeerQuery.members(of: peer, label: label, timeout: .seconds(2))
    else { return [] }
    let instances = ServiceCatalog(members: members).instances["backend"] ?? []
    return instances.filter { $0.memberState == .alive && $0.health == .passing }
      .map(\.url.description)
  }

  /// `rumor resolve NAME --peer PEER`'s output, in local mode with no other
  /// variable set; throws when it fails or does not finish in 15 s.
  static func rumorResolve(_ name: String, peer: NodeAddress) throws -> String {
    let child = try ChildProcess(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "-i", "AUTOBOT_DEPLOYMENT_MODE=local",
        buildDirectory.appendingPathComponent("rumor").path, "resolve", name,
        "--peer", peer.description, "--label", label, "--timeout", "3",
      ])
    defer { child.stop(signal: SIGKILL) }
    let deadline = Date().addingTimeInterval(15)
    while child.isRunning && Date() < deadline { usleep(20_000) }
    guard !child.isRunning, child.process.terminationStatus == 0 else {
      throw AgentFailure("rumor resolve \(name) failed: \(child.log)")
    }
    // The pipe may still hold the last line when the process has exited.
    _ = waitFor(within: 2) { child.log.hasSuffix("\n") }
    return child.log.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

/// One `rumor-example-service` child on loopback: gossip and HTTP on free
/// ports (port 0; it logs which), local mode, no inherited variables.
final class ExampleInstance: Sendable {
  let name: String
  let child: ChildProcess
  let gossip: NodeAddress
  let httpPort: UInt16

  /// The URL resolution gives for this instance.
  var url: String { "http://127.0.0.1:\(httpPort)" }
  /// Everything it printed so far.
  var log: String { child.log }

  /// Starts it (joining `join`, if given) and waits up to 15 s for the
  /// line saying where it gossips and serves.
  init(name: String, join: NodeAddress? = nil) throws {
    self.name = name
    var variables = [
      "AUTOBOT_DEPLOYMENT_MODE=local", "RUMOR_BIND=127.0.0.1:0", "RUMOR_NODE_NAME=\(name)",
      "RUMOR_LABEL=\(ExampleServiceTests.label)", "RUMOR_PROFILE=local",
    ]
    if let join { variables.append("RUMOR_JOIN=\(join)") }
    // `env -i` execs the service, so the child's PID is the service's.
    child = try ChildProcess(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["-i"] + variables + [
        buildDirectory.appendingPathComponent("rumor-example-service").path, "--service",
        "backend", "--http-port", "0",
      ])
    var started: (gossip: NodeAddress, http: NodeAddress)?
    let deadline = Date().addingTimeInterval(15)
    while started == nil && child.isRunning && Date() < deadline {
      started = Self.addresses(in: child.log)
      if started == nil { usleep(20_000) }
    }
    guard let started else {
      child.stop(signal: SIGKILL)
      throw AgentFailure("\(name) did not start: \(child.log)")
    }
    gossip = started.gossip
    httpPort = started.http.port
  }

  /// From "NAME gossips on ADDRESS as ADDRESS (mode local); serving
  /// backend at http://ADDRESS, advertised as ...".
  private static func addresses(in log: String) -> (gossip: NodeAddress, http: NodeAddress)? {
    guard let line = log.split(separator: "\n").first(where: { $0.contains(" gossips on ") })
    else { return nil }
    let words = line.split(separator: " ").map(String.init)
    guard let on = words.firstIndex(of: "on"), let at = words.firstIndex(of: "at"),
      at + 1 < words.count, on + 1 < words.count,
      let gossip = NodeAddress(words[on + 1]),
      let http = NodeAddress(
        String(words[at + 1].dropFirst("http://".count).trimmingCharacters(in: [","])))
    else { return nil }
    return (gossip, http)
  }
}

/// Polls `condition` every 20 ms for at most `seconds`, without async.
private func waitFor(within seconds: Double, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while !condition() && Date() < deadline { usleep(20_000) }
  return condition()
}

/// `GET path` on 127.0.0.1:`port`: the status and body, or nil when there
/// is no complete answer within 3 s. One request per connection, as the
/// example's server answers.
func httpGet(port: UInt16, path: String) async -> (status: Int, body: String)? {
  await withCheckedContinuation { continuation in
    DispatchQueue.global().async {
      continuation.resume(returning: blockingGet(port: port, path: path))
    }
  }
}

private func blockingGet(port: UInt16, path: String) -> (status: Int, body: String)? {
  let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard descriptor >= 0 else { return nil }
  defer { close(descriptor) }
  var timeout = timeval(tv_sec: 3, tv_usec: 0)
  let size = socklen_t(MemoryLayout<timeval>.size)
  setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
  setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = port.bigEndian
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard connected == 0 else { return nil }
  let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
  guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count
  else { return nil }
  var reply: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 4096)
  // At most 64 reads of 4 KiB, each within the 3 s timeout.
  for _ in 0..<64 {
    let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { break }
    reply += chunk[0..<count]
  }
  let text = String(decoding: reply, as: UTF8.self)
  guard let split = text.range(of: "\r\n\r\n") else { return nil }
  let statusLine = text[..<split.lowerBound].prefix { $0 != "\r" }.split(separator: " ")
  guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
  return (status, String(text[split.upperBound...]))
}
