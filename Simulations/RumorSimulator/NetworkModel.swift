import RumorCore

/// The simulated network between nodes: per-link latency, random and
/// asymmetric loss, and partitions. Everything random comes from the
/// simulation's seeded generator, so a seed replays the same network.
public struct NetworkModel: Sendable {
  /// Each link's base one-way latency is drawn once, uniformly from this
  /// range (milliseconds), from the link's endpoints and the seed.
  public var baseLatency: ClosedRange<Double>
  /// Mean of the exponential jitter added to every packet (milliseconds).
  public var jitter: Double
  /// Probability that any UDP packet is lost.
  public var loss: Double
  /// Extra loss for packets a node sends (index → probability).
  public var egressLoss: [Int: Double] = [:]
  /// Extra loss for packets a node receives (index → probability).
  public var ingressLoss: [Int: Double] = [:]
  /// Partition group per node; packets and streams between different
  /// groups are dropped. Empty means no partition.
  public var partition: [Int] = []
  /// Whether streams meet the loss too (on by default). Off, a stream
  /// between connected nodes always gets through (so a TCP fallback ping
  /// always answers under loss), as every run before the namespace lab.
  /// On, each packet of a stream's exchange (SYN, SYN-ACK, request;
  /// reply) is lost like a datagram and sent again after TCP's
  /// retransmission timeout, doubling each time, so a stream across a lossy
  /// link is late, and fails once that passes its timeout
  /// (docs/simulation.md, "The namespace lab").
  public var streamLoss = true

  /// A LAN-like network: 0.1 to 1 ms base latency, 0.2 ms mean jitter.
  public init(baseLatency: ClosedRange<Double> = 0.1...1.0, jitter: Double = 0.2, loss: Double = 0)
  {
    self.baseLatency = baseLatency
    self.jitter = jitter
    self.loss = loss
  }

  /// The smallest one-way latency any packet or stream can have, in
  /// nanoseconds: the base range's lower bound (jitter and retransmissions
  /// only add). Nothing a node sends reaches another node sooner.
  var latencyFloor: Int64 {
    let floor = baseLatency.lowerBound * 1_000_000
    return floor.isFinite && floor > 0 ? Int64(min(floor, 1e15)) : 0
  }

  /// Whether `from` and `to` are on the same side of any partition.
  func connected(_ from: Int, _ to: Int) -> Bool {
    guard from < partition.count, to < partition.count else { return true }
    return partition[from] == partition[to]
  }

  /// Whether a UDP packet from `from` to `to` gets through.
  func delivers(_ from: Int, _ to: Int, random: inout SplitMix64) -> Bool {
    guard connected(from, to) else { return false }
    let survive = (1 - loss) * (1 - (egressLoss[from] ?? 0)) * (1 - (ingressLoss[to] ?? 0))
    return survive >= 1 || random.unit() < survive
  }

  /// The extra time, in nanoseconds, that TCP's retransmissions add to a
  /// stream's `packets` (each as (from, to, first retransmission timeout in
  /// ms)) under the loss; zero when streams meet no loss.
  func retransmissionDelay(_ packets: [(Int, Int, Int64)], random: inout SplitMix64) -> Int64 {
    guard streamLoss else { return 0 }
    var delay: Int64 = 0
    for (from, to, firstTimeout) in packets {
      let survive = (1 - loss) * (1 - (egressLoss[from] ?? 0)) * (1 - (ingressLoss[to] ?? 0))
      var timeout = firstTimeout * 1_000_000
      // Bounded: after six tries the stream is later than any stream timeout.
      for _ in 0..<6 {
        guard survive < 1, random.unit() >= survive else { break }
        delay += timeout
        timeout *= 2
      }
    }
    return delay
  }

  /// One packet's one-way latency in nanoseconds.
  func latency(_ from: Int, _ to: Int, seed: UInt64, random: inout SplitMix64) -> Int64 {
    // The base latency is a pure function of the link, so it needs no table.
    var link = SplitMix64(
      seed: seed ^ (UInt64(truncatingIfNeeded: min(from, to)) &* 0x9E37_79B9)
        ^ (UInt64(truncatingIfNeeded: max(from, to)) << 32))
    let base =
      baseLatency.lowerBound + link.unit() * (baseLatency.upperBound - baseLatency.lowerBound)
    let extra = jitter > 0 ? -jitter * log(max(1e-12, 1 - random.unit())) : 0
    return Int64((base + extra) * 1_000_000)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif
