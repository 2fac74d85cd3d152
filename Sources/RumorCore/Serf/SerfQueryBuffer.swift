/// The recent queries, one slot per Lamport time modulo the ring's size
/// (Serf's `queryBuffer`): what keeps a query that arrives again by gossip
/// from being answered twice.
///
/// The ring is allocated at the first query: most clusters send none, and
/// 512 empty slots per node were 100 MB of a 10,000-node simulation.
struct SerfQueryBuffer: Sendable, Hashable {
  /// How many slots the ring has.
  private let size: Int
  /// Empty until the first query, then `size` each.
  private var times: [UInt64?] = []
  private var ids: [[UInt32]] = []

  /// Most distinct queries kept for one Lamport time.
  static let maximumPerTime = 64

  /// A ring of `size` empty slots.
  init(size: Int) {
    self.size = max(1, size)
  }

  /// Whether a query at `lamportTime` is older than the ring reaches back.
  func isTooOld(_ lamportTime: UInt64, clock: UInt64) -> Bool {
    let size = UInt64(size)
    return clock > size && lamportTime < clock - size
  }

  /// Records query `id` at `lamportTime`; false when it is already kept
  /// (or its slot is full).
  mutating func record(_ lamportTime: UInt64, id: UInt32) -> Bool {
    if times.isEmpty {
      times = Array(repeating: nil, count: size)
      ids = Array(repeating: [], count: size)
    }
    let index = Int(lamportTime % UInt64(size))
    if times[index] == lamportTime {
      guard !ids[index].contains(id), ids[index].count < Self.maximumPerTime else { return false }
      ids[index].append(id)
    } else {
      times[index] = lamportTime
      ids[index] = [id]
    }
    return true
  }

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.size == rhs.size && lhs.normalized == rhs.normalized
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(size)
    let (times, ids) = normalized
    hasher.combine(times)
    hasher.combine(ids)
  }

  /// The ring as its contents, unallocated and allocated-but-empty alike.
  private var normalized: (times: [UInt64?], ids: [[UInt32]]) {
    times.contains { $0 != nil } ? (times, ids) : ([], [])
  }
}
