// libFuzzer target `serf`: `SerfLayer.receive` (Serf's gossiped messages)
// and `SerfLayer.mergeRemoteState` (the user state of a push-pull) on a
// layer that knows members: most alive, some failed, some left. Every
// input works on a copy of the layer built once.
//
// An input is used twice: as one message to `receive` and as one remote
// state to `mergeRemoteState`; then as a sequence of operations
// `op | length:u16le | bytes` (as in the `receive` target) on one copy:
// op % 4 is 0 receive, 1 merge, 2 merge of a join, 3 tick (time advances
// by up to 65.5 s, so events expire and members are reaped).
//
// The input is also taken as an ack's payload (Serf's network coordinate)
// by `NetworkCoordinates.observe`, which must leave the coordinate valid.

import RumorWire

@testable import RumorCore

/// The layer every input starts from, and example inputs.
struct SerfFixture {
  /// A layer knowing `fixtureMemberCount` members.
  let layer: SerfLayer
  /// The time it was built at.
  let now: Timestamp
  /// Example inputs: Serf's messages and a push-pull state.
  let seeds: [[UInt8]]
  /// Network coordinates that learned from one peer.
  let coordinates: NetworkCoordinates
}

/// The fixture, built once.
let serfFixture: SerfFixture = {
  let now = Timestamp.seconds(100)
  guard var layer = try? SerfLayer(name: "fuzz-self") else {
    fatalError("the fixture's Serf settings are invalid")
  }
  for index in 0..<fixtureMemberCount {
    _ = layer.memberJoined(fixtureName(index), now: now)
  }
  for index in 40..<44 { _ = layer.memberFailed(fixtureName(index), now: now) }
  for index in 44..<47 { _ = layer.memberLeft(fixtureName(index), now: now) }
  _ = layer.receive(
    SerfMessage.userEvent(
      SerfUserEvent(lamportTime: 2, name: "deploy", payload: [1], coalesce: true)
    )
    .encoded(), now: now)
  var other = layer
  _ = try? other.userEvent(name: "restart", payload: [7, 7], coalesce: false)
  let seeds: [[UInt8]] = [
    SerfMessage.join(SerfJoin(lamportTime: 5, node: fixtureName(3))).encoded(),
    SerfMessage.leave(SerfLeave(lamportTime: 6, node: fixtureName(4), prune: false)).encoded(),
    SerfMessage.leave(SerfLeave(lamportTime: 7, node: fixtureName(41), prune: true)).encoded(),
    SerfMessage.userEvent(SerfUserEvent(lamportTime: 8, name: "e", payload: [0], coalesce: true))
      .encoded(),
    layer.localState(),
    other.localState(),
    SerfPingPayload.encode(
      SerfCoordinate(
        vector: [0.001, 0, -0.002, 0, 0, 0.0005, 0, 0], error: 0.5, adjustment: 0.0001,
        height: 0.00002)),
  ]
  guard var coordinates = try? NetworkCoordinates(peerLimit: 64, seed: 1) else {
    fatalError("the fixture's coordinate settings are invalid")
  }
  coordinates.observe(
    member: fixtureName(2), roundTrip: .milliseconds(3), payload: seeds[seeds.count - 1])
  return SerfFixture(layer: layer, now: now, seeds: seeds, coordinates: coordinates)
}()

/// The `serf` target.
func fuzzSerf(_ input: [UInt8]) {
  let fixture = serfFixture
  var layer = fixture.layer
  consume(layer.receive(input, now: fixture.now))
  layer = fixture.layer
  consume(layer.mergeRemoteState(input, join: false, now: fixture.now))
  var coordinates = fixture.coordinates
  coordinates.observe(member: fixtureName(1), roundTrip: .milliseconds(2), payload: input)
  guard coordinates.own.isValid, coordinates.own.isPlausible else {
    fatalError("an ack payload left the coordinate invalid: \(coordinates.own)")
  }

  layer = fixture.layer
  var now = fixture.now
  var position = 0
  while position < input.count {
    let op = input[position]
    var length = 0
    if position + 2 < input.count {
      length = Int(input[position + 1]) | Int(input[position + 2]) << 8
    }
    let start = min(position + 3, input.count)
    let end = min(start + length, input.count)
    let bytes = Array(input[start..<end])
    position = end
    switch op & 3 {
    case 0: consume(layer.receive(bytes, now: now))
    case 1: consume(layer.mergeRemoteState(bytes, join: false, now: now))
    case 2: consume(layer.mergeRemoteState(bytes, join: true, now: now))
    default:
      let step = bytes.prefix(2).reduce(0) { $0 << 8 | Int64($1) }
      now = Timestamp(nanoseconds: now.nanoseconds &+ (step &+ 1) &* 1_000_000)
      _ = layer.tick(now: now)
    }
  }
}

/// Keeps an outcome from being optimized away.
func consume(_ outcome: SerfOutcome) {
  if outcome.broadcasts.count + outcome.userEvents.count == -1 { print(outcome) }
}
