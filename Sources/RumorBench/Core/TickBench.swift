import RumorCore
import RumorWire

/// What a `tick` call turned out to do, judged by its effects.
enum TickKind: String, CaseIterable {
  /// Started a probe: a ping (with piggybacked news) to the next member.
  case probe
  /// A gossip round: queued news to a few random members.
  case gossip
  /// Anti-entropy: the whole member list to one member over a stream.
  case pushPull = "push-pull"
  /// Nothing to send (the timers of a probe that was already answered).
  case idle

  /// Classifies one tick by what it asked for.
  static func of(_ effects: [Effect], sentPing: Bool) -> TickKind {
    if effects.contains(where: { if case .openStream = $0 { true } else { false } }) {
      return .pushPull
    }
    if sentPing { return .probe }
    if effects.contains(where: { if case .send = $0 { true } else { false } }) { return .gossip }
    return .idle
  }
}

/// The cost of `tick` at one cluster size.
struct TickResult {
  /// Members the node knows, itself included.
  let members: Int
  /// Virtual seconds timed.
  let virtualSeconds: Int
  /// Nanoseconds per tick call, by what it did (kinds that never happened
  /// are left out).
  let timings: [(kind: TickKind, nanoseconds: Percentiles<Double>)]
  /// All tick calls' time divided by the virtual seconds: the core's
  /// timer work per second of protocol time, in nanoseconds.
  let nanosecondsPerVirtualSecond: Double
  /// The digest of everything returned.
  let digest: UInt64
}

/// Runs a node's timers on a virtual clock at steady state and times each
/// `tick(now:)` call.
///
/// The node joins the cluster, then every ping it sends is answered at once
/// with an ack (so every probe succeeds and nobody becomes suspect), and a
/// tag change about a random member arrives every 100 ms (so that gossip
/// rounds have news to send). Both happen outside the clock. The first
/// `warmUpSeconds` are not timed: they hold the join's follow-up syncs.
struct TickBench {
  /// Virtual seconds timed.
  let virtualSeconds: Int
  /// Virtual seconds run before timing.
  let warmUpSeconds = 20
  /// Virtual nanoseconds between two pieces of news.
  let newsInterval: Int64 = 100_000_000

  /// Runs the benchmark on a node that knows `fixture.count + 1` members.
  func run(fixture: ClusterFixture, replyBytes: [UInt8], seed: UInt64) throws -> TickResult {
    var node = try fixture.joinedNode(seed: seed, replyBytes: replyBytes)
    var random = SplitMix64(seed: seed ^ 0x7469_636b)
    var incarnations = [UInt32](repeating: 1, count: fixture.count)
    let decoder = PacketCodec(options: WireOptions())
    let timedFrom = ClusterFixture.start.advanced(by: Int64(warmUpSeconds) * 1_000_000_000)
    let end = timedFrom.advanced(by: Int64(virtualSeconds) * 1_000_000_000)
    var nextNews = ClusterFixture.start.advanced(by: newsInterval)
    var samples: [TickKind: [Double]] = [:]
    var total: UInt64 = 0
    var digest: UInt64 = 0

    while let deadline = node.nextDeadline, deadline <= end {
      while nextNews <= deadline {
        let member = random.below(fixture.count)
        incarnations[member] += 1
        let meta =
          fixture.shape == .realistic
          ? try ClusterFixture.tags(member, build: Int(incarnations[member])) : []
        let news = fixture.alive(member, incarnation: incarnations[member], meta: meta)
        digest = Digest.mix(
          digest,
          Digest.effects(node.receive(.alive(news), from: fixture.addresses[member], now: nextNews))
        )
        nextNews = nextNews.advanced(by: newsInterval)
      }
      let start = Clocks.monotonic()
      let effects = node.tick(now: deadline)
      let elapsed = Clocks.monotonic() - start
      digest = Digest.mix(digest, Digest.effects(effects))

      var sentPing = false
      for case .send(let bytes, let target) in effects {
        for decoded in decoder.decode(bytes).messages {
          guard case .ping(let ping) = decoded.message else { continue }
          sentPing = true
          let answer = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: target, now: deadline)
          digest = Digest.mix(digest, Digest.effects(answer))
        }
      }
      guard deadline >= timedFrom else { continue }
      samples[TickKind.of(effects, sentPing: sentPing), default: []].append(Double(elapsed))
      total += elapsed
    }
    guard node.aliveMemberCount == fixture.count + 1 else {
      throw BenchError(
        "\(fixture.count + 1 - node.aliveMemberCount) members stopped being alive")
    }
    return TickResult(
      members: fixture.count + 1, virtualSeconds: virtualSeconds,
      timings: TickKind.allCases.compactMap { kind in
        samples[kind].map { (kind, Percentiles($0)) }
      },
      nanosecondsPerVirtualSecond: Double(total) / Double(virtualSeconds), digest: digest)
  }
}
