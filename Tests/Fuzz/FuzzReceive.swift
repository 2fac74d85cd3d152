// libFuzzer target `receive`: `ClusterNode.receivePacket` (and the node's
// other inputs) on a node that already holds members. The node is built
// once (`receiveFixture`); every input works on a copy, so inputs do not
// affect each other and a crash reproduces from its input alone.
//
// An input is used twice: first as it is, one datagram from a member; then
// as a sequence of operations on another copy, so that state carries from
// one operation to the next (a datagram that makes a member suspect, a
// tick that lets the suspicion time out, a stream reply that merges a
// push-pull, …). See `FuzzOperations`. After every operation the node
// must hold no more members than its limit, set close to the fixture's
// size so that inputs can reach it.

import RumorWire

@testable import RumorCore

/// The node every input starts from, and what it knows.
struct ReceiveFixture {
  /// A started node with `memberCount` members besides itself: most alive,
  /// a few suspect, a few dead.
  let node: ClusterNode
  /// The members' addresses, by index; the last two are the node's own
  /// and a stranger's.
  let senders: [NodeAddress]
  /// The time the node was built at.
  let now: Timestamp
  /// Example inputs: real messages about the fixture's members.
  let seeds: [[UInt8]]

  /// Example inputs for the `stream` target: a chunking byte and a stream.
  var streamSeeds: [[UInt8]] {
    let codec = StreamCodec()
    let states = (0..<3).map { index in
      PushNodeState(
        name: fixtureName(index), addr: fixtureAddress(index).ipBytes,
        port: fixtureAddress(index).port, meta: [], incarnation: 2, state: .alive,
        vsn: ProtocolVersions.rumor.bytes)
    }
    let messages: [Message] = [
      .ping(Ping(seqNo: 9, node: "fuzz-self")),
      .pushPull(PushPull(join: true, states: states, userState: serfFixture.seeds[4])),
      .pushPull(PushPull(join: false, states: states)),
      .user(UserMessage(payload: serfFixture.seeds[0])),
    ]
    var seeds: [[UInt8]] = []
    for (index, message) in messages.enumerated() {
      guard let bytes = try? codec.encode(message, includeLabel: false) else { continue }
      seeds.append([UInt8(index * 3)] + bytes)
    }
    return seeds
  }

  /// Example operation sequences: a suspicion, then time passing.
  var operationSeeds: [[UInt8]] {
    func operation(_ op: UInt8, _ bytes: [UInt8]) -> [UInt8] {
      [op, UInt8(truncatingIfNeeded: bytes.count), UInt8(truncatingIfNeeded: bytes.count >> 8)]
        + bytes
    }
    let suspect = Message.suspect(
      Suspect(incarnation: 1, node: fixtureName(7), from: fixtureName(0))
    ).encoded()
    return [
      operation(8, suspect) + operation(3, [0x13, 0x88]) + operation(7, [])
        + operation(3, [0xff, 0xff]),
      operation(7, []) + operation(4, seeds[0]) + operation(7, []) + operation(5, []),
    ]
  }
}

/// How many members the fixture's node knows besides itself.
let fixtureMemberCount = 50

/// The fixture's `SWIMSettings.maxMembers`; every operation checks it.
let fixtureMemberLimit = 64

/// Member `index`'s name.
func fixtureName(_ index: Int) -> String { "member-\(index)" }

/// Member `index`'s address (10.0.x.y:7946).
func fixtureAddress(_ index: Int) -> NodeAddress {
  NodeAddress(
    ipv4: 10, 0, UInt8(truncatingIfNeeded: (index + 2) >> 8),
    UInt8(truncatingIfNeeded: index + 2), port: 7946)
}

/// An alive message about member `index`.
func fixtureAlive(_ index: Int, incarnation: UInt32) -> Alive {
  let tags = (try? SerfTags.encode(["role": "web", "id": "\(index)"])) ?? []
  return Alive(
    incarnation: incarnation, node: fixtureName(index), addr: fixtureAddress(index).ipBytes,
    port: fixtureAddress(index).port, meta: tags, vsn: ProtocolVersions.rumor.bytes)
}

/// The fixture, built once (LLVMFuzzerInitialize touches it).
let receiveFixture: ReceiveFixture = {
  let selfAddress = NodeAddress(ipv4: 10, 0, 0, 1, port: 7946)
  let now = Timestamp.seconds(100)
  // The rumor preset, what a node runs by default, so that the policies'
  // hooks (the guard's corrections and checks, late nacks) are fuzzed
  // too; a member limit close to the fixture's size, so inputs can reach
  // it.
  var settings = SWIMSettings(profile: .lan, preset: .rumor)
  settings.maxMembers = fixtureMemberLimit
  guard
    var node = try? ClusterNode(
      name: "fuzz-self", address: selfAddress, settings: settings, seed: 7)
  else {
    fatalError("the fixture's node settings are invalid")
  }
  _ = node.start(now: now)
  var seeds: [[UInt8]] = []
  for index in 0..<fixtureMemberCount {
    let packet = Message.alive(fixtureAlive(index, incarnation: 1)).encoded()
    _ = node.receivePacket(packet, from: fixtureAddress(index), now: now)
    if index < 3 { seeds.append(packet) }
  }
  // A few suspects and a few dead, accused by member 0.
  for index in 40..<44 {
    let packet = Message.suspect(
      Suspect(incarnation: 1, node: fixtureName(index), from: fixtureName(0))
    )
    .encoded()
    _ = node.receivePacket(packet, from: fixtureAddress(0), now: now)
    if index == 40 { seeds.append(packet) }
  }
  for index in 44..<47 {
    let packet = Message.dead(Dead(incarnation: 1, node: fixtureName(index), from: fixtureName(0)))
      .encoded()
    _ = node.receivePacket(packet, from: fixtureAddress(0), now: now)
    if index == 44 { seeds.append(packet) }
  }
  let members = node.members
  let suspects = members.filter { $0.state == .suspect }.count
  let dead = members.filter { $0.state == .dead }.count
  guard members.count == fixtureMemberCount + 1, suspects > 0, dead > 0 else {
    fatalError(
      "fixture: \(members.count) members, \(suspects) suspect, \(dead) dead; expected"
        + " \(fixtureMemberCount + 1) with some suspect and dead")
  }
  // More example inputs: a ping, an indirect ping, an ack, a compound, a
  // refutation, a Serf user message.
  let ping = Message.ping(Ping(seqNo: 1, node: "fuzz-self")).encoded()
  seeds.append(ping)
  seeds.append(Message.ack(Ack(seqNo: 1)).encoded())
  seeds.append(
    Message.indirectPing(
      IndirectPing(
        seqNo: 2, target: fixtureAddress(5).ipBytes, port: fixtureAddress(5).port,
        node: fixtureName(5))
    ).encoded())
  seeds.append(Message.alive(fixtureAlive(41, incarnation: 2)).encoded())
  let event = SerfMessage.userEvent(
    SerfUserEvent(lamportTime: 3, name: "deploy", payload: [1, 2, 3], coalesce: false)
  ).encoded()
  seeds.append(Message.user(UserMessage(payload: event)).encoded())
  let stream =
    (try? StreamCodec().encode(.ping(Ping(seqNo: 9, node: "fuzz-self")), includeLabel: false)) ?? []
  seeds.append(stream)
  var senders = (0..<fixtureMemberCount).map(fixtureAddress)
  senders.append(selfAddress)
  senders.append(NodeAddress(ipv4: 192, 168, 7, 7, port: 7946))
  return ReceiveFixture(node: node, senders: senders, now: now, seeds: seeds)
}()

/// The `receive` target.
func fuzzReceive(_ input: [UInt8]) {
  let fixture = receiveFixture
  var single = fixture.node
  consume(single.receivePacket(input, from: fixture.senders[1], now: fixture.now))
  var node = fixture.node
  FuzzOperations.run(input, on: &node, fixture: fixture)
}

/// An input read as operations on one node. Each operation is
/// `op | length:u16le | length bytes` (the length clamped to what is
/// left); the low three bits of `op` choose the operation, the others the
/// sender or the stream. Time advances only through `tick`, so the node
/// sees the operations in one clock's order.
enum FuzzOperations {
  /// Runs every operation of `input` on `node`.
  static func run(_ input: [UInt8], on node: inout ClusterNode, fixture: ReceiveFixture) {
    var now = fixture.now
    var openStreams: [UInt64] = []
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
      let sender = fixture.senders[Int(op >> 3) % fixture.senders.count]
      let effects: [Effect]
      switch op & 7 {
      case 0, 1:
        effects = node.receivePacket(bytes, from: sender, now: now)
      case 2:
        let (answer, streamEffects) = node.handleStream(bytes, from: sender, now: now)
        if case .reply(let reply) = answer { consume(reply) }
        effects = streamEffects
      case 3:
        // Up to 65.5 s, in milliseconds, so timeouts and reaping are reached.
        let step = bytes.prefix(2).reduce(0) { $0 << 8 | Int64($1) }
        now = Timestamp(nanoseconds: now.nanoseconds &+ (step &+ 1) &* 1_000_000)
        effects = node.tick(now: now)
      case 4:
        guard !openStreams.isEmpty else { continue }
        let id = openStreams.removeFirst()
        effects = node.streamReplied(id: id, bytes: bytes, now: now)
      case 5:
        guard !openStreams.isEmpty else { continue }
        let id = openStreams.removeFirst()
        effects = node.streamFailed(id: id, reason: "fuzz", refused: op & 8 != 0, now: now)
      case 6:
        effects = node.portUnreachable(sender, now: now)
      default:
        // Run every timer due up to the next deadline (at most a minute on).
        guard let deadline = node.nextDeadline,
          deadline.nanoseconds <= now.nanoseconds &+ 60_000_000_000
        else { continue }
        now = max(now, deadline)
        effects = node.tick(now: now)
      }
      for effect in effects {
        if case .openStream(let id, _, _, _, _) = effect { openStreams.append(id) }
      }
      if openStreams.count > 64 { openStreams.removeFirst(openStreams.count - 64) }
      consume(effects)
      if node.swim.memberCount > fixtureMemberLimit {
        fatalError("\(node.swim.memberCount) members, over the limit of \(fixtureMemberLimit)")
      }
    }
  }
}

/// Keeps effects from being optimized away, cheaply.
func consume(_ effects: [Effect]) {
  var total = 0
  for effect in effects {
    if case .send(let bytes, _) = effect { total &+= bytes.count }
  }
  if total == -1 { print(total) }
}

/// Keeps bytes from being optimized away.
func consume(_ bytes: [UInt8]) {
  if bytes.count == -1 { print(bytes) }
}
