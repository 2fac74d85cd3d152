import RumorCore
import RumorWire

/// What holding one node of n members costs.
struct MemoryResult {
  /// Members each node knows, itself included.
  let members: Int
  /// How the members look.
  let shape: ClusterFixture.Shape
  /// How the nodes learned the members.
  let build: MemoryBench.Build
  /// Nodes built and held at once.
  let nodes: Int
  /// Heap bytes in use per node (`mallinfo2`), or nil without glibc.
  let heapPerNode: Double?
  /// Resident bytes per node (`VmRSS`), or nil without `/proc`.
  let residentPerNode: Double?
}

/// Measures memory per node: builds many nodes of n members, keeps them
/// all, and divides the growth of the process's memory by their number.
///
/// Every node decodes its members from bytes, as a real node and the
/// simulator's nodes do, so names and metadata are each node's own copies
/// rather than buffers shared with the fixture.
struct MemoryBench {
  /// How the nodes learn the cluster.
  enum Build: String, CaseIterable {
    /// One join push-pull reply: members are not re-gossiped, so the
    /// broadcast queue stays nearly empty.
    case joinReply = "join reply"
    /// One alive datagram per member: each is queued for gossip, so the
    /// broadcast queue ends up full (1,024 messages by default).
    case gossip
  }

  /// Members held across all nodes of one measurement; more nodes means
  /// less noise from the allocator, fewer keeps the run short.
  let memberBudget: Int

  /// Measures nodes that know `fixture.count + 1` members.
  func run(fixture: ClusterFixture, build: Build, seed: UInt64) throws -> MemoryResult {
    let nodes = max(4, min(1_000, memberBudget / (fixture.count + 1)))
    let sender = PacketCodec(options: WireOptions())
    var reply: [UInt8] = []
    var datagrams: [[UInt8]] = []
    switch build {
    case .joinReply:
      reply = try fixture.joinReplyBytes()
    case .gossip:
      for index in 0..<fixture.count {
        let alive = Message.alive(fixture.alive(index, incarnation: 1, meta: fixture.metas[index]))
        datagrams.append(try sender.seal(alive.encoded(), checksum: true))
      }
    }
    var held: [SWIMNode] = []
    held.reserveCapacity(nodes)
    let before = ProcessMemory.current()
    for index in 0..<nodes {
      let nodeSeed = seed &+ UInt64(index)
      switch build {
      case .joinReply:
        held.append(try fixture.joinedNode(seed: nodeSeed, replyBytes: reply))
      case .gossip:
        var node = try ClusterFixture.freshNode(seed: nodeSeed)
        var now = ClusterFixture.start
        for (member, datagram) in datagrams.enumerated() {
          now = now.advanced(by: 100_000)
          _ = node.receivePacket(datagram, from: fixture.addresses[member], now: now)
        }
        guard node.memberCount == fixture.count + 1 else {
          throw BenchError("gossip left \(node.memberCount) members")
        }
        held.append(node)
      }
    }
    let after = ProcessMemory.current()
    func perNode(_ first: Int?, _ second: Int?) -> Double? {
      guard let first, let second else { return nil }
      return Double(second - first) / Double(nodes)
    }
    let result = MemoryResult(
      members: fixture.count + 1, shape: fixture.shape, build: build, nodes: nodes,
      heapPerNode: perNode(before.heapInUse, after.heapInUse),
      residentPerNode: perNode(before.resident, after.resident))
    // Kept alive until the second reading.
    withExtendedLifetime(held) {}
    return result
  }
}
