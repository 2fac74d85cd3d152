import Synchronization
import Testing

@testable import Rumor

/// Stands in for a node: takes each metadata update and holds its
/// acknowledgement until the test releases it, so that the test decides
/// in which order concurrent updates finish.
private final class HeldNode: Sendable {
  private let held = Mutex<[@Sendable (SettingsError?) -> Void]>([])

  var submit: ServiceAdvertiser.Submit {
    { _, done in
      self.held.withLock { $0.append(done) }
      return true
    }
  }

  var count: Int { held.withLock { $0.count } }

  /// Acknowledges the update at `index` (in the order submitted).
  func release(_ index: Int) {
    let done = held.withLock { $0[index] }
    done(nil)
  }
}

@Suite("Service advertiser")
struct ServiceAdvertiserTests {
  @Test(
    "health changes reach watchers in the order they were made, whichever update the node finishes first"
  )
  func changesInOrder() async throws {
    // Failed before 2026-12-07: news went out after the node had applied
    // each update, so a lapse the node applied before the renewal that
    // came first was heard as critical, then passing: a watcher was left
    // with passing while the service was critical.
    let node = HeldNode()
    let advertiser = ServiceAdvertiser(
      baseTags: [:],
      services: [
        AdvertisedService(
          name: "jobs", url: ServiceURL(scheme: "tcp", port: 9000), check: .ttl(.milliseconds(50)))
      ], checkHost: "127.0.0.1", submit: node.submit)
    defer { advertiser.stop() }
    let changes = StreamRecorder(advertiser.healthChanges())
    defer { changes.cancel() }
    advertiser.startChecks()
    let renewal = Task { try await advertiser.renew("jobs", status: .passing, note: nil) }
    // The renewal's update (passing) and then the lapse's (critical) wait
    // for the node.
    #expect(await eventually(within: 10) { node.count == 2 }, "updates submitted: \(node.count)")
    node.release(1)
    node.release(0)
    try await renewal.value
    #expect(await eventually(within: 10) { changes.elements.count == 2 })
    #expect(changes.elements.map(\.health) == [.passing, .critical])
    #expect(advertiser.statuses.first?.health == .critical)
  }

  @Test("a base tag cannot stand in for an advertised service's svc. or health. tag")
  func serviceTagsWinOverBaseTags() throws {
    // Failed before 2026-12-07: `rumor tags --set health.redis=critical`
    // on an agent whose redis check passes gossiped critical, although
    // the command says it does not change its services' tags.
    let tags = try ServiceAdvertiser.initialTags(
      baseTags: ["health.redis": "critical", "svc.redis": "redis://other:1", "zone": "a"],
      services: [AdvertisedService(name: "redis", url: ServiceURL(scheme: "redis", port: 6379))])
    #expect(tags == ["svc.redis": "redis://:6379", "zone": "a"])
  }
}
