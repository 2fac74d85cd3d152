import RumorWire
import Testing

@testable import RumorCore

/// A started cluster node "n0" that knows n1…n`others`.
private func makeClusterNode(knowing others: Int, serf: SerfSettings = SerfSettings()) throws
  -> ClusterNode
{
  var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 3)
  _ = node.start(now: at(0))
  for index in stride(from: 1, through: others, by: 1) {
    _ = node.receivePacket(Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
  }
  return node
}

/// Ticks until the node pings someone; returns the ping, where it went and when.
private func nextProbe(_ node: inout ClusterNode) -> (ping: Ping, to: NodeAddress, time: Timestamp)?
{
  var steps = 0
  while let deadline = node.nextDeadline, steps < 1_000 {
    steps += 1
    for sent in sentMessages(node.tick(now: deadline)) {
      if case .ping(let ping) = sent.message { return (ping, sent.to, deadline) }
    }
  }
  return nil
}

/// A peer's coordinate, some milliseconds out.
private let peerCoordinate = SerfCoordinate(
  vector: [0.004, -0.002, 0, 0, 0, 0, 0, 0.001], error: 0.4, adjustment: 0.0001, height: 0.0002)

@Suite("ClusterNode: Serf's network coordinates on acks")
struct ClusterCoordinateTests {
  @Test("a ping is acked with Serf's ping version and this node's coordinate")
  func ackCarriesCoordinate() throws {
    var node = try makeClusterNode(knowing: 1)
    let ping = Ping(
      seqNo: 9, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    let effects = node.receivePacket(Message.ping(ping).encoded(), from: address(1), now: at(0.1))
    let acks = sentMessages(effects).compactMap { sent -> Ack? in
      if case .ack(let ack) = sent.message { return ack }
      return nil
    }
    let ack = try #require(acks.first)
    #expect(ack.seqNo == 9)
    #expect(ack.payload.first == 1)
    #expect(try SerfPingPayload.decode(ack.payload) == node.coordinate)
    #expect(node.coordinate == SerfCoordinate(settings: VivaldiSettings()))
  }

  @Test("an answered probe moves this node's coordinate and keeps the peer's")
  func probeMovesCoordinate() throws {
    var node = try makeClusterNode(knowing: 1)
    let probe = try #require(nextProbe(&node))
    let ack = Ack(seqNo: probe.ping.seqNo, payload: SerfPingPayload.encode(peerCoordinate))
    _ = node.receivePacket(
      Message.ack(ack).encoded(), from: probe.to, now: probe.time.advanced(by: 8_000_000))
    #expect(node.coordinates?.counters.updates == 1)
    #expect(node.coordinate(of: "n1") == peerCoordinate)
    let own = try #require(node.coordinate)
    #expect(own != SerfCoordinate(settings: VivaldiSettings()))
    #expect(node.coordinate(of: "n0") == own)
    #expect(
      node.estimatedRoundTrip(from: "n0", to: "n1") == own.estimatedRoundTrip(to: peerCoordinate))
    // The next ack this node sends carries the new coordinate.
    let ping = Ping(
      seqNo: 77, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    let sent = sentMessages(
      node.receivePacket(
        Message.ping(ping).encoded(), from: address(1), now: probe.time.advanced(by: 9_000_000)))
    let payloads = sent.compactMap { sent -> [UInt8]? in
      if case .ack(let ack) = sent.message { return ack.payload }
      return nil
    }
    #expect(try payloads.map(SerfPingPayload.decode) == [own])
  }

  @Test("payloads that are not a usable coordinate are counted and ignored")
  func badPayloadsIgnored() throws {
    var node = try makeClusterNode(knowing: 1)
    let initial = node.coordinate
    var nan = peerCoordinate
    nan.vector[2] = .nan
    var short = peerCoordinate
    short.vector = [0.001, 0.002]
    let payloads: [[UInt8]] = [
      [2] + SerfPingPayload.encode(peerCoordinate).dropFirst(),  // another version
      [1, 0xc1, 0xff],  // not msgpack
      Array(SerfPingPayload.encode(peerCoordinate).prefix(40)),  // truncated
      SerfPingPayload.encode(nan),
      SerfPingPayload.encode(short),
    ]
    var time = at(0)
    for payload in payloads {
      let probe = try #require(nextProbe(&node))
      time = probe.time.advanced(by: 1_000_000)
      _ = node.receivePacket(
        Message.ack(Ack(seqNo: probe.ping.seqNo, payload: payload)).encoded(), from: probe.to,
        now: time)
    }
    let counters = try #require(node.coordinates?.counters)
    #expect(counters.undecodablePayloads == 3)
    #expect(counters.implausibleCoordinates == 1)
    #expect(counters.incompatibleCoordinates == 1)
    #expect(counters.updates == 0)
    #expect(node.coordinate == initial)
    #expect(node.coordinate(of: "n1") == nil)
    // The probes still succeeded: nothing was suspected.
    #expect(node.swim.member(named: "n1")?.state == .alive)
  }

  @Test("a reaped member's coordinate is forgotten")
  func reapedMemberForgotten() throws {
    var serf = SerfSettings()
    serf.reconnectTimeout = .seconds(10)
    var node = try makeClusterNode(knowing: 1, serf: serf)
    let probe = try #require(nextProbe(&node))
    _ = node.receivePacket(
      Message.ack(Ack(seqNo: probe.ping.seqNo, payload: SerfPingPayload.encode(peerCoordinate)))
        .encoded(), from: probe.to, now: probe.time.advanced(by: 1_000_000))
    #expect(node.coordinate(of: "n1") != nil)
    _ = node.receivePacket(
      Message.dead(Dead(incarnation: 1, node: "n1", from: "n2")).encoded(), from: address(2),
      now: at(5))
    var now = at(5)
    var steps = 0
    while let deadline = node.nextDeadline, deadline <= at(60), steps < 100_000 {
      now = max(now, deadline)
      _ = node.tick(now: now)
      steps += 1
    }
    #expect(!node.members.contains { $0.name == "n1" })
    #expect(node.coordinate(of: "n1") == nil)
    #expect(node.coordinates?.client.trackedPeers == 0)
  }

  @Test("with coordinates off, acks carry no payload and payloads are ignored")
  func coordinatesOff() throws {
    var serf = SerfSettings()
    serf.coordinates = nil
    var node = try makeClusterNode(knowing: 1, serf: serf)
    let ping = Ping(
      seqNo: 9, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    let effects = node.receivePacket(Message.ping(ping).encoded(), from: address(1), now: at(0.1))
    #expect(sentMessages(effects).contains { $0.message == .ack(Ack(seqNo: 9)) })
    let probe = try #require(nextProbe(&node))
    _ = node.receivePacket(
      Message.ack(Ack(seqNo: probe.ping.seqNo, payload: SerfPingPayload.encode(peerCoordinate)))
        .encoded(), from: probe.to, now: probe.time.advanced(by: 1_000_000))
    #expect(node.coordinate == nil)
    #expect(node.coordinate(of: "n1") == nil)
  }

  @Test("a plain SWIM node acks without a payload")
  func swimNodeSendsNoPayload() throws {
    var node = try makeNode(knowing: 2)
    let ping = Ping(
      seqNo: 9, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    let effects = node.receive(.ping(ping), from: address(1), now: at(0.1))
    #expect(sentMessages(effects).first?.message == .ack(Ack(seqNo: 9)))
  }
}

@Suite("Network coordinates: hostile ack payloads")
struct HostileCoordinatePayloadTests {
  @Test(
    "20,000 mutated and random payloads never trap, never poison the coordinate, and are all counted"
  )
  func mutatedPayloads() throws {
    var coordinates = try NetworkCoordinates(peerLimit: 8, seed: 1)
    var random = SplitMix64(seed: 99)
    let valid = SerfPingPayload.encode(peerCoordinate)
    var observed = 0
    for round in 0..<20_000 {
      var payload: [UInt8]
      if round % 4 == 0 {
        payload = (0..<random.below(160)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      } else {
        payload = valid
        for _ in 0..<(1 + random.below(4)) {
          let index = random.below(payload.count)
          payload[index] = UInt8(truncatingIfNeeded: random.next())
        }
        if round % 7 == 0 { payload.removeLast(random.below(payload.count)) }
      }
      let peer = "p\(random.below(16))"
      coordinates.observe(
        member: peer, roundTrip: .microseconds(Int64(random.below(20_000))), payload: payload)
      observed += 1
      #expect(coordinates.own.isValid)
      #expect(coordinates.own.isPlausible)
    }
    let counters = coordinates.counters
    let refused =
      counters.undecodablePayloads + counters.incompatibleCoordinates
      + counters.implausibleCoordinates + counters.roundTripsOutOfRange + counters.peersRefused
    #expect(counters.updates + refused == observed)
    #expect(coordinates.peers.count <= 8)
    #expect(coordinates.client.trackedPeers <= 8)
    #expect(counters.updates > 0 && refused > 0, "\(counters)")
  }
}

@Suite("Network coordinates: the ack payload's size")
struct AckPayloadSizeTests {
  @Test("the largest allowed coordinate fits in an ack payload, and a larger payload is refused")
  func payloadLimit() throws {
    var vivaldi = VivaldiSettings()
    vivaldi.dimensions = VivaldiSettings.maximumDimensions
    var serf = SerfSettings()
    serf.coordinates = vivaldi
    let node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    #expect(node.swim.ackPayload.count == 348)
    vivaldi.dimensions += 1
    serf.coordinates = vivaldi
    #expect(throws: SettingsError.self) {
      try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    }
    var swim = try SWIMNode(name: "n0", address: address(0), seed: 1)
    try swim.setAckPayload([UInt8](repeating: 1, count: SWIMNode.maximumAckPayload))
    #expect(throws: SettingsError.self) {
      try swim.setAckPayload([UInt8](repeating: 1, count: SWIMNode.maximumAckPayload + 1))
    }
    #expect(swim.ackPayload.count == SWIMNode.maximumAckPayload)
  }
}
