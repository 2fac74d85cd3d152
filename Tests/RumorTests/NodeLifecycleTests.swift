import Foundation
import Rumor
import Synchronization
import Testing

@testable import Rumor

/// Keeps what a node logs, for the tests to read.
final class RecordingLogHandler: RumorLogHandler {
  struct Record: Sendable {
    var level: RumorLogLevel
    var message: String
    var metadata: [String: String]
  }
  let records = Mutex<[Record]>([])
  let logLevel: RumorLogLevel

  init(logLevel: RumorLogLevel = .info) {
    self.logLevel = logLevel
  }

  func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
    records.withLock { $0.append(Record(level: level, message: message, metadata: metadata)) }
  }

  var messages: [String] { records.withLock { $0.map(\.message) } }
}

/// The effective configuration of a process whose environment is
/// `variables` (local mode, loopback, the test's own label).
func effective(_ variables: [String: String]) throws -> EffectiveConfiguration {
  var all = [
    "AUTOBOT_DEPLOYMENT_MODE": "local", "RUMOR_BIND": "127.0.0.1:0", "RUMOR_PROFILE": "local",
  ]
  all.merge(variables) { _, new in new }
  return try ConfigurationLoader.effective(file: nil, host: HostEnvironment(variables: all))
}

/// The names of this process's threads (Linux: /proc/self/task/*/comm).
func threadNames() -> [String] {
  let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
  return tasks.compactMap { task in
    (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

@Suite("A node's life: started from configuration, run until cancelled, released")
struct NodeLifecycleTests {
  @Test(
    "start(configuration:) binds, advertises the configured services and joins RUMOR_JOIN before it returns"
  )
  func startFromConfiguration() async throws {
    let label = "life-\(UInt32.random(in: 0 ... .max))"
    let seed = try RumorNode.start(
      NodeConfiguration(name: "seed", bind: anyPort, settings: testSettings(), label: label))
    let log = RecordingLogHandler()
    let configuration = try effective([
      "RUMOR_NODE_NAME": "embedded", "RUMOR_JOIN": seed.address.description,
      "RUMOR_LABEL": label, "RUMOR_SERVICES": "web=http://:18080",
    ])
    let node = try await RumorNode.start(configuration: configuration, logHandler: log)
    #expect(node.name == "embedded")
    #expect(node.configuration == configuration)
    #expect(node.advertisedServices.map(\.service.name) == ["web"])
    #expect(node.members.contains { $0.name == "seed" && $0.state == .alive })
    #expect(log.messages.contains("joined the cluster through 1 of 1 seed"), "\(log.messages)")
    #expect(
      await eventually(within: 10) {
        seed.members.first { $0.name == "embedded" }.map {
          (try? SerfTags.decode($0.meta))?["svc.web"] == "http://:18080"
        } == true
      })
    await node.shutdown()
    await seed.shutdown()
  }

  @Test("a configured seed that does not answer fails the start only when it must answer")
  func configuredSeedMustAnswer() async throws {
    // A port nobody listens on: bind one, note it, close it.
    let probe = try RumorNode.start(NodeConfiguration(name: "probe", bind: anyPort))
    let silent = probe.address.description
    await probe.shutdown()
    let required = JoinSeeds(configured: [silent], mustAnswer: true)
    await #expect(throws: JoinError.self) {
      _ = try await RumorNode.start(
        NodeConfiguration(name: "strict", bind: anyPort, settings: testSettings()),
        joining: required)
    }
    let log = RecordingLogHandler()
    var configuration = NodeConfiguration(name: "lenient", bind: anyPort, settings: testSettings())
    configuration.logHandler = log
    let node = try await RumorNode.start(configuration, joining: JoinSeeds(configured: [silent]))
    #expect(!node.isStopped)
    #expect(log.messages.contains { $0.hasPrefix("no configured seed answered yet") })
    await node.shutdown()
  }

  @Test("a node alone tries its seeds again and joins once one comes up")
  func retriesWhileAlone() async throws {
    let label = "retry-\(UInt32.random(in: 0 ... .max))"
    let first = try RumorNode.start(
      NodeConfiguration(name: "late", bind: anyPort, settings: testSettings(), label: label))
    let port = first.address.port
    await first.shutdown()
    let alone = try await RumorNode.start(
      NodeConfiguration(name: "alone", bind: anyPort, settings: testSettings(), label: label),
      joining: JoinSeeds(conventional: ["127.0.0.1:\(port)"], retryInterval: .seconds(1)))
    #expect(alone.members.count <= 1)
    // Its first try (at once) has failed: nobody is on that port yet.
    try await Task.sleep(for: .milliseconds(1500))
    let late = try RumorNode.start(
      NodeConfiguration(
        name: "late", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: port), settings: testSettings(),
        label: label))
    #expect(
      await eventually(within: 15) {
        alone.members.contains { $0.name == "late" && $0.state == .alive }
      })
    await alone.shutdown()
    await late.shutdown()
  }

  @Test("run() returns when its task is cancelled, after a leave the others see as left")
  func runLeavesOnCancellation() async throws {
    let label = "run-\(UInt32.random(in: 0 ... .max))"
    let observer = try RumorNode.start(
      NodeConfiguration(name: "observer", bind: anyPort, settings: testSettings(), label: label))
    var configuration = NodeConfiguration(
      name: "runner", bind: anyPort, settings: testSettings(), label: label)
    configuration.leaveTimeout = .seconds(2)
    let runner = try await RumorNode.start(
      configuration, joining: JoinSeeds(configured: [observer.address.description]))
    #expect(
      await eventually(within: 10) {
        observer.members.contains { $0.name == "runner" && $0.state == .alive }
      })
    let running = Task { try await runner.run() }
    try await Task.sleep(for: .milliseconds(100))
    running.cancel()
    try await running.value
    #expect(runner.isStopped)
    #expect(
      await eventually(within: 10) {
        observer.members.first { $0.name == "runner" }?.state == .left
      })
    await observer.shutdown()
  }

  @Test("run() returns at once after someone else's shutdown")
  func runReturnsAfterShutdown() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(name: "short", bind: anyPort, settings: testSettings()))
    let running = Task { try await node.run() }
    try await Task.sleep(for: .milliseconds(50))
    await node.shutdown()
    try await running.value
    #expect(node.isStopped)
  }

  @Test("a node released without shutdown stops its thread and frees its port")
  func releasedNodeStops() async throws {
    let name = "rel-\(UInt16.random(in: 0 ... .max))"
    let thread = "rumor-\(name)"
    var port: UInt16 = 0
    do {
      let log = RecordingLogHandler()
      var configuration = NodeConfiguration(name: name, bind: anyPort, settings: testSettings())
      configuration.logHandler = log
      let node = try await RumorNode.start(
        configuration, joining: JoinSeeds(conventional: ["127.0.0.1:1"], retryInterval: .seconds(1))
      )
      port = node.address.port
      // The thread names itself once it runs.
      #expect(await eventually(within: 5) { threadNames().contains(thread) })
    }
    #expect(await eventually(within: 10) { !threadNames().contains(thread) }, "\(threadNames())")
    // UDP and TCP on the same port bind again: both sockets were closed.
    var again: RumorNode?
    #expect(
      await eventually(within: 10) {
        again = try? RumorNode.start(
          NodeConfiguration(name: "again", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: port)))
        return again != nil
      })
    await again?.shutdown()
  }

  @Test("the log handler hears membership events at info; a node without one is silent")
  func logsMembership() async throws {
    let label = "log-\(UInt32.random(in: 0 ... .max))"
    let quiet = RecordingLogHandler(logLevel: .notice)
    let log = RecordingLogHandler()
    var configuration = NodeConfiguration(
      name: "listener", bind: anyPort, settings: testSettings(), label: label)
    configuration.logHandler = log
    let listener = try RumorNode.start(configuration)
    configuration.name = "quiet"
    configuration.logHandler = quiet
    let other = try await RumorNode.start(
      configuration, joining: JoinSeeds(configured: [listener.address.description]))
    #expect(
      await eventually(within: 10) {
        log.records.withLock { records in
          records.contains {
            $0.level == .info && $0.metadata["event"] == "joined"
              && $0.metadata["member"] == "quiet"
          }
        }
      }, "\(log.messages)")
    #expect(log.messages.contains { $0.hasPrefix("joined \"quiet\" 127.0.0.1:") })
    await other.leave(timeout: .seconds(1))
    await other.shutdown()
    #expect(
      await eventually(within: 10) { log.messages.contains { $0.hasPrefix("left \"quiet\"") } })
    // Below its level nothing reached the quiet handler: only the notice.
    #expect(quiet.records.withLock { $0.allSatisfy { $0.level >= .notice } })
    await listener.shutdown()
  }

  @Test("refused traffic is summed up in one line, and nothing is said when nothing was refused")
  func refusedTrafficSummary() {
    let before = TrafficRefusals(undecodable: 1, overLimits: 0, streams: 2)
    #expect(before.summary(since: before, interval: .seconds(60)) == nil)
    let after = TrafficRefusals(undecodable: 51, overLimits: 3, streams: 2)
    let summary = after.summary(since: before, interval: .seconds(60))
    #expect(summary?.message.hasPrefix("in the last 60 s: dropped 50 datagram(s)") == true)
    #expect(summary?.metadata["over_limits"] == "3")
  }

  @Test("undecodable datagrams reach the log handler as one summary line, not one line each")
  func logsRefusedTrafficSummary() async throws {
    let log = RecordingLogHandler(logLevel: .warning)
    var configuration = NodeConfiguration(name: "target", bind: anyPort, settings: testSettings())
    configuration.logHandler = log
    configuration.refusedTrafficSummaryInterval = .milliseconds(300)
    let node = try RumorNode.start(configuration)
    let sender = try Sockets.udp(boundTo: anyPort)
    defer { close(sender) }
    // Fifty datagrams of an unknown message type.
    for _ in 0..<50 { _ = Sockets.send([0xEE, 1, 2, 3], to: node.address, on: sender) }
    // Under load the fifty may straddle a period: wait until every one is
    // in some summary.
    func summaries() -> [RecordingLogHandler.Record] {
      log.records.withLock { $0.filter { $0.metadata["event"] == "refused-traffic" } }
    }
    func reported() -> Int {
      summaries().compactMap { $0.metadata["undecodable"].flatMap { Int($0) } }.reduce(0, +)
    }
    #expect(
      await eventually(within: 10) { node.counters.decodeErrors == 50 && reported() == 50 },
      "\(log.messages)")
    #expect(
      (1...5).contains(summaries().count),
      "one line a period, not one a datagram: \(summaries().map(\.message))")
    #expect(summaries().allSatisfy { $0.level == .warning })
    await node.shutdown()
  }

  @Test("the metrics snapshot has the Prometheus endpoint's names, labels and values")
  func metricsSnapshot() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(name: "metered", bind: anyPort, settings: testSettings()))
    #expect(await eventually(within: 5) { node.metrics.members[.alive] == 1 })
    let metrics = node.metrics
    let samples = Dictionary(
      metrics.samples.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    #expect(samples.count == metrics.samples.count, "keys are unique")
    #expect(samples["rumor_members{status=\"alive\"}"]?.value == 1)
    #expect(samples["rumor_members{status=\"alive\"}"]?.kind == .gauge)
    #expect(samples["rumor_decode_errors_total{kind=\"malformed\"}"]?.kind == .counter)
    // What the guard of the rumor preset did, which the node uses by default.
    for name in [
      "rumor_accusations_held_total", "rumor_suspicion_checks_total",
      "rumor_stale_accusations_corrected_total",
      "rumor_deaths_kept_local_total", "rumor_death_reminders_total",
    ] {
      #expect(samples[name]?.kind == .counter, "\(name)")
    }
    #expect(
      metrics.samples.filter { $0.kind == .counter }.allSatisfy { $0.name.hasSuffix("_total") })
    // Every sample is a line of the endpoint's text, value included (the
    // node is idle, so its counters hold still between the two reads).
    let text = prometheusText(node: node)
    let lines = Set(text.split(separator: "\n").map(String.init))
    for sample in node.metrics.samples
    where sample.name != "rumor_packets_total"
      && sample.name != "rumor_packet_bytes_total"
    {
      #expect(lines.contains("\(sample.key) \(sample.value)"), "\(sample.key) in:\n\(text)")
    }
    await node.shutdown()
  }

}
