import RumorCore
import RumorWire

/// Repeated runs of one whole operation, as wall and CPU time.
struct Runs {
  /// One span per run, in run order.
  let spans: [Span]

  /// Median CPU seconds.
  var cpuMedian: Double { Percentiles(spans.map(\.cpuSeconds)).median }
  /// Fastest run's CPU seconds.
  var cpuMinimum: Double { Percentiles(spans.map(\.cpuSeconds)).minimum }
  /// Slowest run's CPU seconds.
  var cpuMaximum: Double { Percentiles(spans.map(\.cpuSeconds)).maximum }
  /// Median wall seconds.
  var wallMedian: Double { Percentiles(spans.map(\.wallSeconds)).median }
}

/// The cost of a join at one cluster size, both sides.
struct JoinResult {
  /// Members in the cluster being joined.
  let members: Int
  /// The join reply's size on the stream (LZW-compressed).
  let replyBytes: Int
  /// (a) `streamReplied` with the join reply: decode and merge.
  let pushPull: Runs
  /// Of (a): `StreamCodec.decode` of the reply alone.
  let replyDecode: Runs
  /// (b) One alive message per member through `receive`.
  let gossipMessages: Runs
  /// (b) The same alive messages as compound datagrams through
  /// `receivePacket`.
  let gossipPackets: Runs
  /// Datagrams (b) takes.
  let gossipPacketCount: Int
  /// (c) A member of the cluster answering a join: `handleStream`.
  let answer: Runs
  /// Of (c): encoding a push-pull of the whole cluster alone.
  let answerEncode: Runs
  /// The digest of everything returned.
  let digest: UInt64
}

/// Times a fresh node taking in a whole cluster, and a member of the
/// cluster answering a join. Each run builds what it needs first, outside
/// the clocks, and frees it after them.
struct JoinBench {
  /// Runs per figure; the median is reported.
  let runs: Int

  /// Measures joins of `cluster` (n members); `members` is the same
  /// cluster less one, whose join `cluster`'s last member answers.
  func run(cluster: ClusterFixture, members: ClusterFixture, seed: UInt64) throws -> JoinResult {
    var digest: UInt64 = 0
    let reply = try cluster.joinReplyBytes()
    let expected = cluster.count + 1

    // (a) The join push-pull reply.
    var pushPull: [Span] = []
    var replyDecode: [Span] = []
    for run in 0..<runs {
      var node = try ClusterFixture.freshNode(seed: seed &+ UInt64(run))
      let stream = try ClusterFixture.openJoin(&node, via: cluster.addresses[0])
      let (effects, span) = Clocks.measure {
        node.streamReplied(id: stream, bytes: reply, now: ClusterFixture.start)
      }
      guard node.memberCount == expected,
        effects.contains(.joinFinished(address: cluster.addresses[0], error: nil))
      else { throw BenchError("the join reply left \(node.memberCount) members") }
      digest = Digest.mix(digest, Digest.effects(effects))
      pushPull.append(span)

      let decoder = StreamCodec()
      let (decoded, decodeSpan) = try Clocks.measure {
        try decoder.decode(reply[...], allowLabel: false)
      }
      digest = Digest.mix(digest, UInt64(decoded.consumedCount))
      replyDecode.append(decodeSpan)
    }

    // (b) Gossip: one alive message per member.
    let alives = (0..<cluster.count).map {
      Message.alive(cluster.alive($0, incarnation: 1, meta: cluster.metas[$0]))
    }
    let sender = PacketCodec(options: WireOptions())
    let packer = Packer(overhead: sender.overhead(checksum: true))
    var datagrams: [[UInt8]] = []
    for packet in packer.pack(alives.map { $0.encoded() }) {
      datagrams.append(try sender.seal(packet, checksum: true))
    }
    var gossipMessages: [Span] = []
    var gossipPackets: [Span] = []
    for run in 0..<runs {
      for path in DeliveryPath.allCases {
        var node = try ClusterFixture.freshNode(seed: seed &+ UInt64(run))
        let (folded, span) = Clocks.measure {
          var folded: UInt64 = 0
          var now = ClusterFixture.start
          switch path {
          case .message:
            for (index, message) in alives.enumerated() {
              now = now.advanced(by: 100_000)
              let effects = node.receive(message, from: cluster.addresses[index], now: now)
              folded = Digest.mix(folded, Digest.effects(effects))
            }
          case .packet:
            for (index, datagram) in datagrams.enumerated() {
              now = now.advanced(by: 100_000)
              let effects = node.receivePacket(
                datagram, from: cluster.addresses[index % cluster.count], now: now)
              folded = Digest.mix(folded, Digest.effects(effects))
            }
          }
          return folded
        }
        guard node.memberCount == expected else {
          throw BenchError(
            "gossip (\(path.rawValue)) left \(node.memberCount) members")
        }
        digest = Digest.mix(digest, folded)
        switch path {
        case .message: gossipMessages.append(span)
        case .packet: gossipPackets.append(span)
        }
      }
    }

    // (c) The other side: a member answering a join.
    var answering = try members.joinedNode(seed: seed, replyBytes: try members.joinReplyBytes())
    let requester = StreamCodec()
    var answer: [Span] = []
    var answerEncode: [Span] = []
    let wholeCluster = Message.pushPull(cluster.joinReply())
    for run in 0..<runs {
      let joiner = PushNodeState(
        name: "joiner-\(run).dc1.internal", addr: [172, 16, 0, UInt8(truncatingIfNeeded: run + 1)],
        port: 7946, meta: try ClusterFixture.tags(run, build: 0), incarnation: 1, state: .alive,
        vsn: ProtocolVersions.rumor.bytes)
      let request = try requester.encode(
        .pushPull(PushPull(join: true, states: [joiner])), includeLabel: true)
      let before = answering.memberCount
      let (outcome, span) = Clocks.measure {
        answering.handleStream(
          request, from: NodeAddress(ipv4: 172, 16, 0, 1, port: 40_000), now: ClusterFixture.start)
      }
      guard case .reply(let bytes) = outcome.answer, answering.memberCount == before + 1 else {
        throw BenchError("the join request got no push-pull reply")
      }
      let answered = try requester.decode(bytes[...], allowLabel: false)
      guard case .pushPull(let state) = answered.message, state.states.count == before else {
        throw BenchError("the join reply does not hold \(before) members")
      }
      digest = Digest.mix(digest, UInt64(bytes.count) ^ Digest.effects(outcome.effects))
      answer.append(span)

      let (encoded, encodeSpan) = try Clocks.measure {
        try requester.encode(wholeCluster, includeLabel: false)
      }
      digest = Digest.mix(digest, UInt64(encoded.count))
      answerEncode.append(encodeSpan)
    }

    return JoinResult(
      members: cluster.count, replyBytes: reply.count, pushPull: Runs(spans: pushPull),
      replyDecode: Runs(spans: replyDecode), gossipMessages: Runs(spans: gossipMessages),
      gossipPackets: Runs(spans: gossipPackets), gossipPacketCount: datagrams.count,
      answer: Runs(spans: answer), answerEncode: Runs(spans: answerEncode), digest: digest)
  }
}
