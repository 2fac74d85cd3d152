import RumorCore
import RumorWire

/// The members of a simulated cluster, as the node under test hears of
/// them: names, addresses and Serf tags, and the messages and join reply
/// that carry them. Everything is a pure function of the index, so every
/// run sees the same cluster.
struct ClusterFixture {
  /// How members look.
  enum Shape: String, CaseIterable {
    /// Names like "web-00042.dc1.internal" (too long for an inline Swift
    /// string) and about 100 bytes of Serf tags each: a service cluster.
    case realistic
    /// Names like "n42" and no metadata, as `rumor-sim` runs them.
    case simulator
  }

  /// How members look.
  let shape: Shape
  /// Member names, by index.
  let names: [String]
  /// Member addresses, by index.
  let addresses: [NodeAddress]
  /// Each member's current metadata, by index.
  let metas: [[UInt8]]

  /// The name of the node under test, which is not one of the members.
  static let selfName = "bench-self.dc1.internal"
  /// The address of the node under test.
  static let selfAddress = NodeAddress(ipv4: 192, 168, 0, 1, port: 7946)
  /// The start of virtual time; any value works, zero is avoided so that
  /// no subtraction lands on the origin.
  static let start = Timestamp.seconds(1)

  /// A cluster of `count` members shaped like `shape`.
  init(count: Int, shape: Shape) throws(WireError) {
    self.shape = shape
    var names: [String] = []
    var addresses: [NodeAddress] = []
    var metas: [[UInt8]] = []
    names.reserveCapacity(count)
    addresses.reserveCapacity(count)
    metas.reserveCapacity(count)
    for index in 0..<count {
      names.append(Self.name(index, shape: shape))
      addresses.append(Self.address(index))
      metas.append(shape == .realistic ? try Self.tags(index, build: 0) : [])
    }
    self.names = names
    self.addresses = addresses
    self.metas = metas
  }

  /// How many members.
  var count: Int { names.count }

  /// Member `index`'s name.
  static func name(_ index: Int, shape: Shape) -> String {
    switch shape {
    case .simulator:
      return "n\(index)"
    case .realistic:
      let digits = String(index)
      return "web-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        + ".dc1.internal"
    }
  }

  /// 10.x.y.z, distinct for the first 16 million indices.
  static func address(_ index: Int) -> NodeAddress {
    let value = index + 1
    return NodeAddress(
      ipv4: 10, UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
      UInt8(truncatingIfNeeded: value), port: 7946)
  }

  /// The Serf tags of member `index` at release `build`; a new build is
  /// the tag change the status-change benchmark gossips.
  static func tags(_ index: Int, build: Int) throws(WireError) -> [UInt8] {
    let host = address(index).host
    return try SerfTags.encode([
      "role": "web", "dc": "dc1", "build": "1.4.\(build)", "vsn": "1",
      "svc.api": "http://\(host):8080", "svc.metrics": "http://\(host):9102",
    ])
  }

  /// An alive message about member `index`.
  func alive(_ index: Int, incarnation: UInt32, meta: [UInt8]) -> Alive {
    Alive(
      incarnation: incarnation, node: names[index], addr: addresses[index].ipBytes,
      port: addresses[index].port, meta: meta, vsn: ProtocolVersions.rumor.bytes)
  }

  /// A seed's answer to a join: every member alive at incarnation 1.
  func joinReply() -> PushPull {
    var states: [PushNodeState] = []
    states.reserveCapacity(count)
    for index in 0..<count {
      states.append(
        PushNodeState(
          name: names[index], addr: addresses[index].ipBytes, port: addresses[index].port,
          meta: metas[index], incarnation: 1, state: .alive, vsn: ProtocolVersions.rumor.bytes))
    }
    return PushPull(join: true, states: states)
  }

  /// The join reply as a seed writes it on the stream (LZW-compressed,
  /// memberlist's default, which the node under test also uses).
  func joinReplyBytes() throws(WireError) -> [UInt8] {
    try StreamCodec().encode(.pushPull(joinReply()), includeLabel: false)
  }

  /// A started node that knows only itself.
  static func freshNode(seed: UInt64) throws -> SWIMNode {
    var node = try SWIMNode(name: selfName, address: selfAddress, seed: seed)
    _ = node.start(now: start)
    return node
  }

  /// Opens a join to member 0 and returns the stream whose reply
  /// `streamReplied` takes.
  static func openJoin(_ node: inout SWIMNode, via seed: NodeAddress) throws -> UInt64 {
    for effect in node.join([seed], now: start) {
      if case .openStream(let id, _, _, _, _) = effect { return id }
    }
    throw BenchError("join opened no stream")
  }

  /// A node that joined this cluster through `replyBytes` (see
  /// `joinReplyBytes`), as a new member does; it then knows `count + 1`
  /// members.
  func joinedNode(seed: UInt64, replyBytes: [UInt8]) throws -> SWIMNode {
    var node = try Self.freshNode(seed: seed)
    let stream = try Self.openJoin(&node, via: addresses[0])
    let effects = node.streamReplied(id: stream, bytes: replyBytes, now: Self.start)
    guard effects.contains(.joinFinished(address: addresses[0], error: nil)),
      node.memberCount == count + 1
    else {
      throw BenchError(
        "a join of \(count) members left the node with \(node.memberCount)")
    }
    return node
  }
}
