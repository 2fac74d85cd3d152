import RumorCore

/// Picks one of several eligible instances by a service's strategy, and
/// keeps what the strategies remember between calls: a round-robin cursor
/// per service and a seeded generator (seeded, so tests are repeatable).
public struct InstancePicker: Sendable {
  private var cursors: [String: Int] = [:]
  private var generator: SplitMix64

  /// A picker whose random choices follow `seed`.
  public init(seed: UInt64) {
    generator = SplitMix64(seed: seed)
  }

  /// The index in `candidates` to use; nil when there are none.
  ///
  /// - `first` takes index 0: callers list the primary first.
  /// - `roundRobin` advances this service's cursor; the cursor survives
  ///   the list growing or shrinking (it is taken modulo the count).
  /// - `random` is uniform.
  /// - `leastFailures` is the power of two choices (Mitzenmacher): two
  ///   distinct candidates at random, the one with fewer recent failures
  ///   wins. Comparing two instead of scanning all avoids every caller
  ///   stampeding onto the single least-failed instance.
  /// - `nearest` takes the candidate with the lowest `roundTrip` (the
  ///   estimate from network coordinates; nil when unknown), in turn among
  ///   equally near ones; candidates with no estimate come after any with
  ///   one, and with none known at all it is round robin.
  public mutating func pick(
    among count: Int, service: String, strategy: LoadBalancingStrategy,
    failures: (Int) -> Double = { _ in 0 },
    roundTrip: (Int) -> Duration? = { _ in nil }
  ) -> Int? {
    guard count > 0 else { return nil }
    switch strategy {
    case .first:
      return 0
    case .roundRobin:
      let cursor = cursors[service, default: 0]
      cursors[service] = (cursor &+ 1) & Int.max
      return cursor % count
    case .random:
      return Int.random(in: 0..<count, using: &generator)
    case .leastFailures:
      guard count > 1 else { return 0 }
      let one = Int.random(in: 0..<count, using: &generator)
      var other = Int.random(in: 0..<(count - 1), using: &generator)
      if other >= one { other += 1 }
      return failures(other) < failures(one) ? other : one
    case .nearest:
      var best: Duration?
      var nearest: [Int] = []
      for index in 0..<count {
        guard let rtt = roundTrip(index) else { continue }
        if best.map({ rtt < $0 }) ?? true {
          best = rtt
          nearest = [index]
        } else if rtt == best {
          nearest.append(index)
        }
      }
      let cursor = cursors[service, default: 0]
      cursors[service] = (cursor &+ 1) & Int.max
      return nearest.isEmpty ? cursor % count : nearest[cursor % nearest.count]
    }
  }
}
