import RumorCore
import RumorWire

/// One kind of status change, in the order a cycle applies them to a
/// member: each is news the node must act on (never a stale duplicate),
/// and the cycle leaves the member alive again for the next one.
enum StatusChange: String, CaseIterable {
  /// `Suspect` about an alive member at its incarnation: alive → suspect.
  case suspect
  /// `Alive` with a higher incarnation: the refutation, suspect → alive.
  case refute
  /// `Alive` with a higher incarnation and new tags: alive, updated.
  case tagChange = "tag change"
  /// `Dead` at the current incarnation: alive → dead.
  case dead
  /// `Alive` with a higher incarnation after `Dead`: dead → alive.
  case rejoin

  /// Whether `event` is what this change must produce.
  func isExpected(_ event: MembershipEvent) -> Bool {
    switch (self, event) {
    case (.suspect, .suspected), (.refute, .recovered), (.tagChange, .updated),
      (.dead, .failed), (.rejoin, .joined):
      return true
    default:
      return false
    }
  }
}

/// How the status change reaches the node.
enum DeliveryPath: String, CaseIterable {
  /// `receive(_:from:now:)` with the decoded message: the state machine only.
  case message = "receive"
  /// `receivePacket` with the datagram a peer sends (CRC, as protocol 5
  /// peers send it): the codec as well.
  case packet = "receivePacket"
}

/// The cost of one status change at one cluster size, one figure per kind.
struct StatusChangeResult {
  /// Members the node knows, itself included.
  let members: Int
  /// How the news arrived.
  let path: DeliveryPath
  /// Nanoseconds per event for each kind, in `StatusChange.allCases` order.
  let timings: [(change: StatusChange, nanoseconds: Percentiles<Double>)]
  /// The datagram size of each kind, for the packet path.
  let datagramBytes: [StatusChange: Int]
  /// The digest of everything the node returned.
  let digest: UInt64
}

/// Times single status changes on a node that knows the whole cluster.
///
/// The node joins through a push-pull reply first (as a new member does),
/// then cycles through the members in a fixed random order, applying
/// suspect, refute, tag change, dead and rejoin to each. Every event is
/// timed on its own, and only the call into the node: building the
/// message or datagram comes before the clock starts, and the returned
/// effects are checked and digested after it stops. No timer fires during
/// the run (`tick` is never called), so the broadcast queue fills up to its
/// bound at clusters of over 1,024 members, as it would on a node whose
/// gossip falls behind.
struct StatusChangeBench {
  /// Timed cycles (each applies all five kinds to one member).
  let cycles: Int
  /// Untimed cycles first, so that the queue and allocator reach their
  /// steady state.
  let warmUpCycles: Int

  /// Runs the benchmark on a node that knows `fixture.count + 1` members.
  func run(fixture: ClusterFixture, replyBytes: [UInt8], path: DeliveryPath, seed: UInt64)
    throws -> StatusChangeResult
  {
    var node = try fixture.joinedNode(seed: seed, replyBytes: replyBytes)

    var random = SplitMix64(seed: seed ^ 0x5157_4154_5553)
    var order = Array(0..<fixture.count)
    for index in stride(from: order.count - 1, to: 0, by: -1) {
      order.swapAt(index, random.below(index + 1))
    }
    var incarnations = [UInt32](repeating: 1, count: fixture.count)
    var builds = [Int](repeating: 0, count: fixture.count)
    let sender = PacketCodec(options: WireOptions())
    var samples = StatusChange.allCases.map { _ -> [Double] in
      var list: [Double] = []
      list.reserveCapacity(cycles)
      return list
    }
    var datagramBytes: [StatusChange: Int] = [:]
    var digest: UInt64 = 0
    var now = ClusterFixture.start
    // The metadata member `index` advertises at its `build`-th tag change.
    func meta(_ index: Int, build: Int) throws(WireError) -> [UInt8] {
      switch fixture.shape {
      case .realistic: try ClusterFixture.tags(index, build: build)
      case .simulator: build == 0 ? [] : [UInt8(truncatingIfNeeded: build)]
      }
    }

    for cycle in 0..<(warmUpCycles + cycles) {
      let member = order[cycle % order.count]
      let accuser = (member + 1 + random.below(fixture.count - 1)) % fixture.count
      let incarnation = incarnations[member]
      let oldMeta = try meta(member, build: builds[member])
      let newMeta = try meta(member, build: builds[member] + 1)
      let messages: [Message] = [
        .suspect(
          Suspect(
            incarnation: incarnation, node: fixture.names[member], from: fixture.names[accuser])),
        .alive(fixture.alive(member, incarnation: incarnation + 1, meta: oldMeta)),
        .alive(fixture.alive(member, incarnation: incarnation + 2, meta: newMeta)),
        .dead(
          Dead(
            incarnation: incarnation + 2, node: fixture.names[member], from: fixture.names[accuser])
        ),
        .alive(fixture.alive(member, incarnation: incarnation + 3, meta: newMeta)),
      ]
      incarnations[member] = incarnation + 3
      builds[member] += 1
      let from = fixture.addresses[accuser]
      for (kind, (change, message)) in zip(StatusChange.allCases, messages).enumerated() {
        now = now.advanced(by: 1_000_000)
        let effects: [Effect]
        let elapsed: UInt64
        switch path {
        case .message:
          let start = Clocks.monotonic()
          effects = node.receive(message, from: from, now: now)
          elapsed = Clocks.monotonic() - start
        case .packet:
          let datagram = try sender.seal(message.encoded(), checksum: true)
          datagramBytes[change] = datagram.count
          let start = Clocks.monotonic()
          effects = node.receivePacket(datagram, from: from, now: now)
          elapsed = Clocks.monotonic() - start
        }
        guard
          effects.contains(where: {
            if case .event(let event) = $0 { change.isExpected(event) } else { false }
          })
        else {
          throw BenchError(
            "\(change.rawValue) about \(fixture.names[member]) was not applied")
        }
        digest = Digest.mix(digest, Digest.effects(effects))
        if cycle >= warmUpCycles { samples[kind].append(Double(elapsed)) }
      }
    }
    digest = Digest.mix(digest, UInt64(node.memberCount))
    return StatusChangeResult(
      members: fixture.count + 1, path: path,
      timings: zip(StatusChange.allCases, samples).map { ($0, Percentiles($1)) },
      datagramBytes: datagramBytes, digest: digest)
  }
}
