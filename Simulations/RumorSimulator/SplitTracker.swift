import RumorCore

/// Follows how each side of a partition comes to hold the other side
/// failed: for every (observer, member of the other side) pair, the first
/// time the observer declared that member failed while the split lasted.
/// The namespace lab's "the other side failed everywhere" is the moment
/// the last such pair was first declared.
public struct SplitTracker: Sendable {
  /// When the split began (nanoseconds of virtual time).
  public let start: Int64
  /// When it healed; failures after it are not counted.
  public let end: Int64
  /// When some node first declared a member of the other side failed.
  public private(set) var firstFailedAt: Int64?
  /// When every node had declared every member of the other side failed
  /// at least once (nil if that did not happen during the split).
  public private(set) var failedEverywhereAt: Int64?

  /// Each node's side.
  private let groups: [Int]
  /// One bit per (observer, member) pair, at `observer * count + member`:
  /// whether the observer already declared the member failed (a bit, not
  /// a `Bool`: at 10,000 nodes the pairs are 10^8).
  private var declared: [UInt64]
  /// Cross-side pairs not declared yet.
  private var remaining: Int

  /// Starts tracking a split into `groups` (each node's side, by node
  /// index) from `start` until `end`.
  public init(groups: [Int], from start: Int64, until end: Int64) {
    self.start = start
    self.end = end
    self.groups = groups
    let pairs = groups.count * groups.count
    declared = Array(repeating: 0, count: (pairs + 63) / 64)
    // Each observer has every member outside its own side to declare.
    var sizes: [Int: Int] = [:]
    for group in groups { sizes[group, default: 0] += 1 }
    remaining = sizes.values.reduce(0) { $0 + $1 * (groups.count - $1) }
  }

  /// Seconds from the split to `firstFailedAt`.
  public var firstFailedSeconds: Double? { seconds(firstFailedAt) }
  /// Seconds from the split to `failedEverywhereAt`.
  public var failedEverywhereSeconds: Double? { seconds(failedEverywhereAt) }

  private func seconds(_ time: Int64?) -> Double? {
    time.map { Double($0 - start) / 1e9 }
  }

  /// Notes that `observer` declared `member` failed at `time`.
  public mutating func noteFailure(of member: Int, at observer: Int, time: Int64) {
    guard time >= start, time <= end, groups.indices.contains(member),
      groups.indices.contains(observer), groups[member] != groups[observer]
    else { return }
    let pair = observer * groups.count + member
    let bit: UInt64 = 1 << UInt64(pair % 64)
    guard declared[pair / 64] & bit == 0 else { return }
    declared[pair / 64] |= bit
    remaining -= 1
    if firstFailedAt == nil { firstFailedAt = time }
    if remaining == 0 { failedEverywhereAt = time }
  }
}
