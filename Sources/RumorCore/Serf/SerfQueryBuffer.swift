/// The recent queries, one slot per Lamport time modulo the ring's size
/// (Serf's `queryBuffer`): what keeps a query that arrives again by gossip
/// from being answered twice.
struct SerfQueryBuffer: Sendable, Hashable {
  private var times: [UInt64?]
  private var ids: [[UInt32]]

  /// Most distinct queries kept for one Lamport time.
  static let maximumPerTime = 64

  /// A ring of `size` empty slots.
  init(size: Int) {
    times = Array(repeating: nil, count: max(1, size))
    ids = Array(repeating: [], count: max(1, size))
  }

  /// Whether a query at `lamportTime` is older than the ring reaches back.
  func isTooOld(_ lamportTime: UInt64, clock: UInt64) -> Bool {
    let size = UInt64(times.count)
    return clock > size && lamportTime < clock - size
  }

  /// Records query `id` at `lamportTime`; false when it is already kept
  /// (or its slot is full).
  mutating func record(_ lamportTime: UInt64, id: UInt32) -> Bool {
    let index = Int(lamportTime % UInt64(times.count))
    if times[index] == lamportTime {
      guard !ids[index].contains(id), ids[index].count < Self.maximumPerTime else { return false }
      ids[index].append(id)
    } else {
      times[index] = lamportTime
      ids[index] = [id]
    }
    return true
  }
}
