import RumorWire
import Testing

@testable import RumorCore

private func close(_ value: Double, _ expected: Double, within tolerance: Double = 1e-15) -> Bool {
  abs(value - expected) <= tolerance
}

@Suite("Vivaldi client: Serf's coordinate algorithm")
struct VivaldiClientTests {
  /// A peer 10 ms out on the first axis, otherwise new.
  static let peer = SerfCoordinate(
    vector: [0.01, 0, 0, 0, 0, 0, 0, 0], error: 1.5, adjustment: 0, height: 1e-5)

  @Test("a new client sits at the origin with Serf's initial error and height")
  func newClient() throws {
    let client = try VivaldiClient(peerLimit: 10, seed: 1)
    #expect(
      client.coordinate
        == SerfCoordinate(
          vector: .init(repeating: 0, count: 8), error: 1.5, adjustment: 0, height: 1e-5))
    // What Serf's first ack carries (capture frame 20).
    #expect(SerfPingPayload.encode(client.coordinate).count == 130)
  }

  @Test("one update moves the coordinate as computed by hand from Serf's formulas")
  func oneUpdateByHand() throws {
    var client = try VivaldiClient(peerLimit: 10, seed: 1)
    let moved = try client.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(20))

    // Vivaldi step: distance 0.01 + 2 × 10 µs; rtt 0.02 s.
    let distance = 0.01 + 1e-5 + 1e-5
    let wrongness = abs(distance - 0.02) / 0.02  // 0.499
    let weight = 1.5 / 3.0  // 0.5
    let error = 0.25 * weight * wrongness + 1.5 * (1 - 0.25 * weight)  // 1.374875
    let force = 0.25 * weight * (0.02 - distance)  // 0.0012475
    // Pushed away from the peer (along −x); height grows by force / |Δ|.
    var x = -force
    var height = (1e-5 + 1e-5) * force / 0.01 + 1e-5
    // Adjustment: (rtt − raw distance) over twice the window of 20.
    let raw = abs(x - 0.01) + height + 1e-5
    let adjustment = (0.02 - raw) / 40
    // Gravity: pulled towards the origin by (distance to it / 150)².
    let fromOrigin = abs(x) + 1e-5 + height + adjustment
    let gravity = -((fromOrigin / 150) * (fromOrigin / 150))
    let magnitude = abs(x)
    x += -1 * gravity  // unit vector from the origin is −x
    height = max((height + 1e-5) * gravity / magnitude + height, 1e-5)

    #expect(close(error, 1.374875, within: 1e-12))
    #expect(close(moved.error, error))
    #expect(close(moved.vector[0], x))
    #expect(moved.vector.dropFirst().allSatisfy { $0 == 0 })
    #expect(close(moved.height, height))
    #expect(close(moved.adjustment, adjustment))
    #expect(close(moved.vector[0], -0.0012475, within: 1e-9))
  }

  @Test("the latency filter uses the median of the last three round trips")
  func latencyFilterMedian() throws {
    // Two clients fed the same peer: one sees a 500 ms outlier among
    // 20 ms samples, the other only 20 ms. The filter hides the outlier.
    var steady = try VivaldiClient(peerLimit: 10, seed: 1)
    var blip = try VivaldiClient(peerLimit: 10, seed: 1)
    for _ in 0..<2 {
      try steady.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(20))
      try blip.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(20))
    }
    try steady.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(20))
    try blip.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(500))
    #expect(steady.coordinate == blip.coordinate)
  }

  @Test("coordinates with NaN, infinities or absurd parts are refused and change nothing")
  func invalidCoordinatesRefused() throws {
    var client = try VivaldiClient(peerLimit: 10, seed: 1)
    let before = client.coordinate
    var bad: [SerfCoordinate] = []
    for index in 0..<8 {
      var nan = Self.peer
      nan.vector[index] = .nan
      bad.append(nan)
    }
    for value in [Double.nan, .infinity, -.infinity, -1, 1e300] {
      var coordinate = Self.peer
      coordinate.error = value
      bad.append(coordinate)
      coordinate = Self.peer
      coordinate.height = value
      bad.append(coordinate)
      coordinate = Self.peer
      coordinate.adjustment = value == -1 ? .nan : value
      bad.append(coordinate)
    }
    var huge = Self.peer
    huge.vector[3] = -1e12
    bad.append(huge)
    for coordinate in bad {
      #expect(throws: VivaldiClient.Rejection.implausible) {
        try client.update(peer: "p", other: coordinate, roundTrip: .milliseconds(1))
      }
    }
    #expect(client.coordinate == before)
    #expect(client.trackedPeers == 0)
  }

  @Test("other dimensions and round trips out of range are refused")
  func otherRefusals() throws {
    var client = try VivaldiClient(peerLimit: 10, seed: 1)
    var short = Self.peer
    short.vector = [0.01]
    #expect(throws: VivaldiClient.Rejection.incompatibleDimensions) {
      try client.update(peer: "p", other: short, roundTrip: .milliseconds(1))
    }
    #expect(throws: VivaldiClient.Rejection.roundTripOutOfRange) {
      try client.update(peer: "p", other: Self.peer, roundTrip: .seconds(11))
    }
    #expect(throws: VivaldiClient.Rejection.roundTripOutOfRange) {
      try client.update(peer: "p", other: Self.peer, roundTrip: .milliseconds(-1))
    }
    // A zero round trip is taken (Serf counts it and goes on).
    try client.update(peer: "p", other: Self.peer, roundTrip: .zero)
    #expect(client.coordinate.isValid)
  }

  @Test("peers beyond the limit are refused until one is forgotten")
  func peerLimit() throws {
    var client = try VivaldiClient(peerLimit: 2, seed: 1)
    try client.update(peer: "a", other: Self.peer, roundTrip: .milliseconds(5))
    try client.update(peer: "b", other: Self.peer, roundTrip: .milliseconds(5))
    #expect(throws: VivaldiClient.Rejection.tooManyPeers) {
      try client.update(peer: "c", other: Self.peer, roundTrip: .milliseconds(5))
    }
    try client.update(peer: "a", other: Self.peer, roundTrip: .milliseconds(5))
    client.forget("a")
    try client.update(peer: "c", other: Self.peer, roundTrip: .milliseconds(5))
    #expect(client.trackedPeers == 2)
  }

  @Test("two coincident coordinates are pushed apart in a seeded random direction")
  func coincidentCoordinates() throws {
    var first = try VivaldiClient(peerLimit: 10, seed: 7)
    var second = try VivaldiClient(peerLimit: 10, seed: 7)
    let origin = SerfCoordinate(settings: VivaldiSettings())
    let one = try first.update(peer: "p", other: origin, roundTrip: .milliseconds(10))
    let two = try second.update(peer: "p", other: origin, roundTrip: .milliseconds(10))
    #expect(one == two)
    #expect(one.vector.contains { $0 != 0 })
  }

  @Test("the estimated round trip is the distance plus heights plus adjustments")
  func estimatedRoundTrip() throws {
    let a = SerfCoordinate(vector: [0.003, 0, 0, 0], error: 0.2, adjustment: 0.001, height: 0.0005)
    let b = SerfCoordinate(
      vector: [0, 0.004, 0, 0], error: 0.2, adjustment: -0.0002, height: 0.0003)
    // 5 ms + 0.8 ms + 0.8 ms = 6.6 ms.
    #expect(a.estimatedRoundTrip(to: b) == .nanoseconds(6_600_000))
    // A negative adjusted distance falls back to the raw one.
    var c = b
    c.adjustment = -1
    #expect(a.estimatedRoundTrip(to: c) == .nanoseconds(5_800_000))
    var nan = b
    nan.height = .nan
    #expect(a.estimatedRoundTrip(to: nan) == nil)
    #expect(
      a.estimatedRoundTrip(to: SerfCoordinate(vector: [0], error: 0, adjustment: 0, height: 0))
        == nil)
  }

  @Test("invalid settings are reported, not trapped on")
  func invalidSettings() {
    var settings = VivaldiSettings()
    settings.dimensions = 0
    settings.gravityRho = .nan
    settings.latencyFilterSize = 0
    #expect(throws: SettingsError.self) {
      try VivaldiClient(settings: settings, peerLimit: 1, seed: 1)
    }
  }
}

@Suite("Vivaldi client: a hostile but finite peer")
struct VivaldiHostilePeerTests {
  @Test("a peer right next to this node with a large height cannot blow its height up")
  func heightBlowUpIsReset() throws {
    var client = try VivaldiClient(peerLimit: 10, seed: 1)
    // Learn once so that this node sits off the origin.
    let first = try client.update(
      peer: "p", other: VivaldiClientTests.peer, roundTrip: .milliseconds(20))
    // A peer 2 µs away with a 9 s height, answering in 10 s: the force
    // pushes away (the round trip is above the distance), and Serf's
    // height update divides it by that 2 µs distance: about 5 × 10⁵ s.
    var hostile = first
    hostile.vector[1] += 2e-6
    hostile.height = 9
    hostile.error = 1.5
    hostile.adjustment = 0
    #expect(hostile.isPlausible)
    let after = try client.update(peer: "h", other: hostile, roundTrip: .seconds(10))
    #expect(after.isPlausible)
    #expect(after.height < 1000, "height \(after.height)")
    #expect(client.resets == 1)
  }
}
