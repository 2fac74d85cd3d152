/// The simulator's agenda: events ordered by virtual time, ties broken by
/// the order they were scheduled, so that a run is the same every time.
///
/// The order is the core's `DeadlineHeap`'s, (time, order of scheduling),
/// a total order, so any heap pops the same sequence. This one keeps the
/// events apart from the heap: a 4-ary heap of 24-byte keys (time, order,
/// the event's slot) over an array of events whose freed slots are reused.
/// A pop's sift then moves and compares small keys, four to a parent, over
/// half the levels of a binary heap of whole events, and copies no event.
/// With `--threads` the agenda is the serial part of every window
/// (docs/simulation.md, "Thirteenth round").
struct EventQueue<Event> {
  /// An event's place in the order, and where it is kept.
  private struct Key {
    var time: Int64
    var order: UInt64
    var slot: Int32
  }

  /// The heap: each key precedes its (up to four) children.
  private var keys: [Key] = []
  /// The events, by slot; nil where the slot is free.
  private var events: [Event?] = []
  /// Slots of `events` to reuse, last freed first.
  private var freeSlots: [Int32] = []
  private var nextOrder: UInt64 = 0

  /// How many events are pending.
  var count: Int { keys.count }

  /// Whether nothing is pending.
  var isEmpty: Bool { keys.isEmpty }

  /// The time of the next event.
  var nextTime: Int64? { keys.first?.time }

  /// Adds an event at `time`.
  mutating func schedule(_ event: Event, at time: Int64) {
    insert(event, at: time, order: nextOrder)
    nextOrder &+= 1
  }

  /// The earliest event's time and its place in the order of scheduling.
  var nextEntry: (time: Int64, order: UInt64)? {
    keys.first.map { ($0.time, $0.order) }
  }

  /// Removes and returns the earliest event, its time and its place in
  /// the order of scheduling.
  mutating func popEntry() -> (time: Int64, order: UInt64, event: Event)? {
    guard let first = keys.first else { return nil }
    let last = keys.removeLast()
    if !keys.isEmpty { siftDown(last) }
    let slot = Int(first.slot)
    guard let event = events[slot].take() else { return nil }
    freeSlots.append(first.slot)
    return (first.time, first.order, event)
  }

  /// Puts back an event taken out with `popEntry`, in its old place.
  mutating func restore(_ event: Event, at time: Int64, order: UInt64) {
    insert(event, at: time, order: order)
  }

  /// Removes and returns the earliest event.
  mutating func pop() -> (time: Int64, event: Event)? {
    popEntry().map { ($0.time, $0.event) }
  }

  private mutating func insert(_ event: Event, at time: Int64, order: UInt64) {
    let slot: Int32
    if let reused = freeSlots.popLast() {
      slot = reused
      events[Int(slot)] = event
    } else {
      slot = Int32(truncatingIfNeeded: events.count)
      events.append(event)
    }
    let key = Key(time: time, order: order, slot: slot)
    keys.append(key)
    siftUp(key, from: keys.count - 1)
  }

  private static func precedes(_ left: Key, _ right: Key) -> Bool {
    left.time < right.time || (left.time == right.time && left.order < right.order)
  }

  /// Moves `key`, at `start`, up to its place.
  private mutating func siftUp(_ key: Key, from start: Int) {
    var index = start
    while index > 0 {
      let parent = (index - 1) / 4
      guard Self.precedes(key, keys[parent]) else { break }
      keys[index] = keys[parent]
      index = parent
    }
    keys[index] = key
  }

  /// Puts `key` at the root and moves it down to its place.
  private mutating func siftDown(_ key: Key) {
    let count = keys.count
    var index = 0
    while true {
      let first = 4 * index + 1
      guard first < count else { break }
      var best = first
      var child = first + 1
      let end = min(first + 4, count)
      while child < end {
        if Self.precedes(keys[child], keys[best]) { best = child }
        child += 1
      }
      guard Self.precedes(keys[best], key) else { break }
      keys[index] = keys[best]
      index = best
    }
    keys[index] = key
  }
}
