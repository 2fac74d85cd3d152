import RumorWire

/// The recent user events, one slot per Lamport time modulo the ring's
/// size (Serf's `eventBuffer`): what de-duplicates events that arrive
/// again by gossip or push-pull, and what push-pull state carries so that
/// a member that missed an event still gets it.
///
/// The ring is allocated at the first event: most clusters send none, and
/// 512 empty slots per node were 200 MB of a 10,000-node simulation.
struct SerfEventBuffer: Sendable, Hashable {
  /// How many slots the ring has.
  private let size: Int
  /// The ring; empty until the first event.
  private var ring: [SerfEventBatch?] = []

  /// The slots; nil where no event is kept.
  var slots: [SerfEventBatch?] {
    ring.isEmpty ? Array(repeating: nil, count: size) : ring
  }

  /// A ring of `size` empty slots.
  init(size: Int) {
    self.size = max(1, size)
  }

  /// Whether an event at `lamportTime` is older than the ring reaches back
  /// from `clock` (Serf drops those: it could not tell them from repeats).
  func isTooOld(_ lamportTime: UInt64, clock: UInt64) -> Bool {
    let size = UInt64(size)
    return clock > size && lamportTime < clock - size
  }

  /// Records an event; false when the same event (time, name and payload)
  /// is already kept. A slot holding an older time is replaced.
  mutating func record(_ lamportTime: UInt64, name: String, payload: [UInt8]) -> Bool {
    if ring.isEmpty { ring = Array(repeating: nil, count: size) }
    let index = Int(lamportTime % UInt64(size))
    let event = SerfEvent(name: name, payload: payload)
    if var batch = ring[index], batch.lamportTime == lamportTime {
      guard !batch.events.contains(event) else { return false }
      // A slot is bounded like the ring: events at one Lamport time are
      // distinct sends from distinct members, and a peer cannot make one
      // slot grow without end.
      guard batch.events.count < Self.maximumEventsPerTime else { return false }
      batch.events.append(event)
      ring[index] = batch
    } else {
      ring[index] = SerfEventBatch(lamportTime: lamportTime, events: [event])
    }
    return true
  }

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.size == rhs.size && (lhs.ring == rhs.ring || lhs.slots == rhs.slots)
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(size)
    hasher.combine(ring.contains { $0 != nil } ? ring : [])
  }

  /// Most distinct events kept for one Lamport time.
  static let maximumEventsPerTime = 64
}
