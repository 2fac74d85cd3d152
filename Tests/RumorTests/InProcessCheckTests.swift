import Foundation
import Rumor
import Synchronization
import Testing

@Suite("TTL and closure checks from inside the process")
struct InProcessCheckTests {
  /// The health `observer` sees gossiped for `service` on `node`.
  func health(of service: String, on node: String, seenBy observer: RumorNode) -> ServiceHealth? {
    guard let member = observer.members.first(where: { $0.name == node && $0.state == .alive }),
      let tags = try? SerfTags.decode(member.meta), tags["svc.\(service)"] != nil
    else { return nil }
    return tags["health.\(service)"].flatMap(ServiceHealth.init(rawValue:)) ?? .passing
  }

  /// Whether `observer` comes to see `node`'s `service` at `expected`
  /// within 30 s.
  func sees(
    _ expected: ServiceHealth, of service: String, on node: String, by observer: RumorNode
  ) async -> Bool {
    await eventually(within: 30) { health(of: service, on: node, seenBy: observer) == expected }
  }

  /// A node advertising "jobs" with a TTL check of `ttl`.
  func jobsNode(_ name: String, ttl: Duration, seed: UInt64) throws -> RumorNode {
    try RumorNode.start(
      NodeConfiguration(
        name: name, bind: anyPort, settings: testSettings(),
        services: [
          AdvertisedService(
            name: "jobs", url: ServiceURL(scheme: "tcp", port: 9000), check: .ttl(ttl))
        ], seed: seed))
  }

  @Test("a TTL check lapses to critical on another node, and a renewal brings it back")
  func ttlLapsesAndRenews() async throws {
    let worker = try jobsNode("ttl-worker", ttl: .seconds(1), seed: 31)
    let observer = try RumorNode.start(
      NodeConfiguration(name: "ttl-observer", bind: anyPort, settings: testSettings(), seed: 32))
    defer {
      Task {
        await worker.shutdown()
        await observer.shutdown()
      }
    }
    try await observer.join(addresses: [worker.address])
    #expect(
      await sees(.critical, of: "jobs", on: "ttl-worker", by: observer),
      "critical before the first renewal")
    /// Renews every 200 ms with `status` until cancelled, so that a slow
    /// gossip round under load cannot let the renewal lapse before the
    /// observer looks.
    func renewing(_ status: ServiceHealth, note: String? = nil) -> Task<Void, Never> {
      Task {
        while !Task.isCancelled {
          try? await worker.renew(service: "jobs", status: status, note: note)
          try? await Task.sleep(for: .milliseconds(200))
        }
      }
    }

    let passing = renewing(.passing)
    #expect(await sees(.passing, of: "jobs", on: "ttl-worker", by: observer))
    #expect(worker.advertisedServices.first?.health == .passing)
    passing.cancel()

    // No renewal: it lapses after the TTL, and the observer sees it.
    #expect(await sees(.critical, of: "jobs", on: "ttl-worker", by: observer), "lapsed")
    #expect(
      worker.advertisedServices.first?.lastCheck?.error == "the TTL check was not renewed within 1s"
    )

    // Consul's warn, then pass again.
    let warning = renewing(.warning, note: "backlog")
    #expect(await sees(.warning, of: "jobs", on: "ttl-worker", by: observer))
    #expect(worker.advertisedServices.first?.lastCheck?.error == "backlog")
    warning.cancel()
    let again = renewing(.passing)
    defer { again.cancel() }
    #expect(await sees(.passing, of: "jobs", on: "ttl-worker", by: observer))
  }

  @Test("a TTL check's renewals and lapses are health changes, as the probes' are")
  func ttlChangesAreEvents() async throws {
    let node = try jobsNode("ttl-events", ttl: .milliseconds(300), seed: 38)
    defer { Task { await node.shutdown() } }
    let changes = StreamRecorder(node.serviceHealthChanges())
    defer { changes.cancel() }
    // A TTL check is critical until first renewed; under load that first
    // verdict can reach the stream before the renewal's.
    func healths() -> [ServiceHealth] {
      Array(changes.elements.map(\.health).drop { $0 == .critical })
    }
    // A renewal holds 300 ms, so under load its lapse can be in before
    // the test looks: each step checks the sequence so far, not its end.
    try await node.renew(service: "jobs")
    #expect(await eventually(within: 10) { healths().first == .passing }, "\(healths())")
    // The lapse comes from the node's own timer.
    #expect(
      await eventually(within: 10) { healths().prefix(2) == [.passing, .critical] },
      "\(healths())")
    try await node.renew(service: "jobs", status: .warning)
    // The warning lapses in turn, 300 ms later.
    #expect(
      await eventually(within: 10) { healths().prefix(3) == [.passing, .critical, .warning] },
      "\(healths())")
    #expect(
      await eventually(within: 10) { healths() == [.passing, .critical, .warning, .critical] },
      "\(healths())")
  }

  @Test("renewing a service that is not advertised, or not TTL-checked, is an error")
  func renewErrors() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(
        name: "ttl-errors", bind: anyPort, settings: testSettings(),
        services: [AdvertisedService(name: "web", url: ServiceURL(scheme: "tcp", port: 1))],
        seed: 33))
    defer { Task { await node.shutdown() } }
    await #expect(throws: SettingsError.self) { try await node.renew(service: "nothing") }
    do {
      try await node.renew(service: "web")
      Issue.record("renewed a service without a TTL check")
    } catch {
      #expect("\(error)".contains("not by a TTL check"), "\(error)")
    }
  }

  @Test("a closure check is run on schedule, gossiped, and fails when it does not return in time")
  func closureCheck() async throws {
    let well = Atomic<Int>(1)  // 1: true, 0: false, 2: hang
    let node = try RumorNode.start(
      NodeConfiguration(name: "closure-node", bind: anyPort, settings: testSettings(), seed: 34))
    let observer = try RumorNode.start(
      NodeConfiguration(name: "closure-observer", bind: anyPort, settings: testSettings(), seed: 35)
    )
    defer {
      Task {
        await node.shutdown()
        await observer.shutdown()
      }
    }
    try await observer.join(addresses: [node.address])
    let schedule = HealthCheck(
      kind: .closure, interval: .milliseconds(100), timeout: .milliseconds(50),
      failuresBeforeCritical: 2)
    try await node.advertise(
      AdvertisedService(name: "db", url: ServiceURL(scheme: "tcp", port: 5432), check: schedule)
    ) {
      switch well.load(ordering: .acquiring) {
      case 1: return true
      case 0: return false
      default:
        // Hangs for a second, ignoring cancellation, holding no thread.
        await withCheckedContinuation { continuation in
          DispatchQueue.global().asyncAfter(deadline: .now() + 1) { continuation.resume() }
        }
        return true
      }
    }
    #expect(await sees(.passing, of: "db", on: "closure-node", by: observer))
    well.store(0, ordering: .releasing)
    #expect(await sees(.critical, of: "db", on: "closure-node", by: observer))
    #expect(node.advertisedServices.first?.lastCheck?.error == "the check closure returned false")
    well.store(1, ordering: .releasing)
    #expect(await sees(.passing, of: "db", on: "closure-node", by: observer))
    well.store(2, ordering: .releasing)
    #expect(
      await eventually(within: 30) {
        node.advertisedServices.first?.health == .critical
      })
    let error = node.advertisedServices.first?.lastCheck?.error ?? ""
    #expect(
      error == "the check closure did not return within 50ms"
        || error == "the previous check has not returned yet", "\(error)")
    well.store(1, ordering: .releasing)
  }

  @Test("a closure check without its closure is refused")
  func closureWithoutClosure() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(name: "closure-missing", bind: anyPort, settings: testSettings(), seed: 36))
    defer { Task { await node.shutdown() } }
    await #expect(throws: SettingsError.self) {
      try await node.advertise(
        AdvertisedService(
          name: "db", url: ServiceURL(scheme: "tcp", port: 5432), check: HealthCheck(kind: .closure)
        ))
    }
    #expect(
      throws: SettingsError.self,
      performing: {
        _ = try RumorNode.start(
          NodeConfiguration(
            name: "closure-missing-2", bind: anyPort, settings: testSettings(),
            services: [
              AdvertisedService(
                name: "db", url: ServiceURL(scheme: "tcp", port: 5432),
                check: HealthCheck(kind: .closure))
            ], seed: 37))
      })
  }
}
