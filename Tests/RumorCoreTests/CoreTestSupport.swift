import RumorWire
import Testing

@testable import RumorCore

/// Loopback address number `index`.
func address(_ index: Int) -> NodeAddress {
  NodeAddress("127.0.0.1:\(7946 + index)") ?? NodeAddress(ip: [127, 0, 0, 1], port: 1)!
}

/// A timestamp `seconds` after the origin.
func at(_ seconds: Double) -> Timestamp { .seconds(seconds) }

/// The messages an effect list sends, with their destinations.
func sentMessages(_ effects: [Effect]) -> [(message: Message, to: NodeAddress)] {
  effects.flatMap { effect -> [(message: Message, to: NodeAddress)] in
    guard case .send(let bytes, let target) = effect else { return [] }
    return PacketCodec().decode(bytes).messages.map { ($0.message, target) }
  }
}

/// The membership events in an effect list.
func events(_ effects: [Effect]) -> [MembershipEvent] {
  effects.compactMap { effect in
    if case .event(let event) = effect { return event }
    return nil
  }
}

/// An alive message for member `index`.
func alive(_ index: Int, incarnation: UInt32 = 1, meta: [UInt8] = []) -> Alive {
  Alive(
    incarnation: incarnation, node: "n\(index)", addr: address(index).ipBytes,
    port: address(index).port, meta: meta, vsn: ProtocolVersions.rumor.bytes)
}

/// A started node "n0" that knows members n1…n`others`, all alive.
func makeNode(
  knowing others: Int, settings: SWIMSettings = SWIMSettings(profile: .lan), seed: UInt64 = 1
) throws -> SWIMNode {
  var node = try SWIMNode(name: "n0", address: address(0), settings: settings, seed: seed)
  _ = node.start(now: at(0))
  for index in stride(from: 1, through: others, by: 1) {
    _ = node.receive(.alive(alive(index)), from: address(index), now: at(0))
  }
  return node
}

/// A state machine with timers: `SWIMNode` and `ClusterNode`.
protocol TimedNode {
  var nextDeadline: Timestamp? { get }
  mutating func tick(now: Timestamp) -> [Effect]
}

extension SWIMNode: TimedNode {}
extension ClusterNode: TimedNode {}

/// Runs the node's timers from `start` to `end` in steps, collecting effects.
func run<Node: TimedNode>(_ node: inout Node, from start: Double, to end: Double) -> [Effect] {
  var collected: [Effect] = []
  var now = at(start)
  let stop = at(end)
  var steps = 0
  while let deadline = node.nextDeadline, deadline <= stop, steps < 100_000 {
    now = max(now, deadline)
    collected += node.tick(now: now)
    steps += 1
  }
  return collected
}

/// Runs the node until its first probe ping; returns the ping and its time.
func firstProbe(_ node: inout SWIMNode) -> (ping: Ping, time: Double)? {
  var steps = 0
  while let deadline = node.nextDeadline, steps < 1_000 {
    steps += 1
    for sent in sentMessages(node.tick(now: deadline)) {
      if case .ping(let ping) = sent.message { return (ping, deadline.seconds) }
    }
  }
  return nil
}
