import Rumor
import Testing

@Suite("Network coordinates on real sockets")
struct CoordinateNodeTests {
  @Test("two nodes learn each other's coordinates and estimate a loopback round trip")
  func twoNodesEstimateRoundTrip() async throws {
    let first = try RumorNode.start(
      NodeConfiguration(name: "c0", bind: anyPort, settings: testSettings(), seed: 11))
    let second = try RumorNode.start(
      NodeConfiguration(name: "c1", bind: anyPort, settings: testSettings(), seed: 12))
    _ = try await second.join(addresses: [first.address])
    let learned = await eventually(within: 15) {
      first.coordinate(of: "c1") != nil && second.coordinate(of: "c0") != nil
        && first.coordinateCounters.updates >= 3
    }
    #expect(learned, "counters: \(first.coordinateCounters), \(second.coordinateCounters)")
    #expect(first.coordinate(of: "c0") == first.coordinate)
    let estimate = try #require(first.estimatedRoundTrip(to: "c1"))
    // Loopback round trips are well under a millisecond; the estimate
    // starts from Serf's initial error and converges down towards them.
    #expect(estimate > .zero && estimate < .milliseconds(50), "estimate \(estimate)")
    #expect(first.estimatedRoundTrip(from: "c0", to: "c1") == estimate)
    #expect(first.estimatedRoundTrip(to: "nobody") == nil)
    #expect(first.coordinateCounters.undecodablePayloads == 0)
    await first.shutdown()
    await second.shutdown()
  }

  @Test("with coordinates off a node has none and learns none")
  func coordinatesOff() async throws {
    var configuration = NodeConfiguration(
      name: "d0", bind: anyPort, settings: testSettings(), seed: 13)
    configuration.networkCoordinates = false
    let first = try RumorNode.start(configuration)
    let second = try RumorNode.start(
      NodeConfiguration(name: "d1", bind: anyPort, settings: testSettings(), seed: 14))
    _ = try await second.join(addresses: [first.address])
    // The other side still learns nothing from payload-less acks.
    _ = await eventually(within: 3) { false }
    #expect(first.coordinate == nil)
    #expect(first.coordinate(of: "d1") == nil)
    #expect(second.coordinate(of: "d0") == nil)
    await first.shutdown()
    await second.shutdown()
  }
}
