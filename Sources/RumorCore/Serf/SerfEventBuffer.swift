import RumorWire

/// The recent user events, one slot per Lamport time modulo the ring's
/// size (Serf's `eventBuffer`): what de-duplicates events that arrive
/// again by gossip or push-pull, and what push-pull state carries so that
/// a member that missed an event still gets it.
struct SerfEventBuffer: Sendable, Hashable {
  /// The slots; nil where no event is kept.
  private(set) var slots: [SerfEventBatch?]

  /// A ring of `size` empty slots.
  init(size: Int) {
    slots = Array(repeating: nil, count: max(1, size))
  }

  /// Whether an event at `lamportTime` is older than the ring reaches back
  /// from `clock` (Serf drops those: it could not tell them from repeats).
  func isTooOld(_ lamportTime: UInt64, clock: UInt64) -> Bool {
    let size = UInt64(slots.count)
    return clock > size && lamportTime < clock - size
  }

  /// Records an event; false when the same event (time, name and payload)
  /// is already kept. A slot holding an older time is replaced.
  mutating func record(_ lamportTime: UInt64, name: String, payload: [UInt8]) -> Bool {
    let index = Int(lamportTime % UInt64(slots.count))
    let event = SerfEvent(name: name, payload: payload)
    if var batch = slots[index], batch.lamportTime == lamportTime {
      guard !batch.events.contains(event) else { return false }
      // A slot is bounded like the ring: events at one Lamport time are
      // distinct sends from distinct members, and a peer cannot make one
      // slot grow without end.
      guard batch.events.count < Self.maximumEventsPerTime else { return false }
      batch.events.append(event)
      slots[index] = batch
    } else {
      slots[index] = SerfEventBatch(lamportTime: lamportTime, events: [event])
    }
    return true
  }

  /// Most distinct events kept for one Lamport time.
  static let maximumEventsPerTime = 64
}
