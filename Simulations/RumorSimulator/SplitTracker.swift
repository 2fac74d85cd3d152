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
  /// Whether observer `o` already declared member `m` failed, at
  /// `o * count + m`.
  private var declared: [Bool]
  /// Cross-side pairs not declared yet.
  private var remaining: Int

  /// Starts tracking a split into `groups` (each node's side, by node
  /// index) from `start` until `end`.
  public init(groups: [Int], from start: Int64, until end: Int64) {
    self.start = start
    self.end = end
    self.groups = groups
    declared = Array(repeating: false, count: groups.count * groups.count)
    var pairs = 0
    for observer in groups.indices {
      for member in groups.indices where groups[member] != groups[observer] { pairs += 1 }
    }
    remaining = pairs
  }

  /// Notes that `observer` declared `member` failed at `time`.
  public mutating func noteFailure(of member: Int, at observer: Int, time: Int64) {
    guard time >= start, time <= end, groups.indices.contains(member),
      groups.indices.contains(observer), groups[member] != groups[observer]
    else { return }
    let slot = observer * groups.count + member
    guard !declared[slot] else { return }
    declared[slot] = true
    remaining -= 1
    if firstFailedAt == nil { firstFailedAt = time }
    if remaining == 0 { failedEverywhereAt = time }
  }
}
