import RumorCore

/// The simulator's agenda: events ordered by virtual time, ties broken by
/// the order they were scheduled, so that a run is the same every time.
/// The core's `DeadlineHeap`, with the simulator's names.
struct EventQueue<Event> {
  private var heap = DeadlineHeap<Event>()

  /// How many events are pending.
  var count: Int { heap.count }

  /// Whether nothing is pending.
  var isEmpty: Bool { heap.isEmpty }

  /// The time of the next event.
  var nextTime: Int64? { heap.earliest }

  /// Adds an event at `time`.
  mutating func schedule(_ event: Event, at time: Int64) {
    heap.schedule(at: time, event)
  }

  /// The earliest event's time and its place in the order of scheduling.
  var nextEntry: (time: Int64, order: UInt64)? {
    heap.earliestEntry.map { ($0.deadline, $0.order) }
  }

  /// Removes and returns the earliest event, its time and its place in
  /// the order of scheduling.
  mutating func popEntry() -> (time: Int64, order: UInt64, event: Event)? {
    heap.popEntry().map { ($0.deadline, $0.order, $0.payload) }
  }

  /// Puts back an event taken out with `popEntry`, in its old place.
  mutating func restore(_ event: Event, at time: Int64, order: UInt64) {
    heap.restore(at: time, order: order, event)
  }

  /// Removes and returns the earliest event.
  mutating func pop() -> (time: Int64, event: Event)? {
    heap.pop().map { ($0.deadline, $0.payload) }
  }
}
