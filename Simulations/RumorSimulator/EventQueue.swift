/// The simulator's agenda: events ordered by virtual time, ties broken by
/// the order they were scheduled, so that a run is the same every time.
struct EventQueue<Event> {
  private struct Entry {
    var time: Int64
    var order: UInt64
    var event: Event
  }

  private var heap: [Entry] = []
  private var nextOrder: UInt64 = 0

  /// How many events are pending.
  var count: Int { heap.count }

  /// Whether nothing is pending.
  var isEmpty: Bool { heap.isEmpty }

  /// The time of the next event.
  var nextTime: Int64? { heap.first?.time }

  /// Adds an event at `time`.
  mutating func schedule(_ event: Event, at time: Int64) {
    heap.append(Entry(time: time, order: nextOrder, event: event))
    nextOrder &+= 1
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[child], heap[parent]) else { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  /// Removes and returns the earliest event.
  mutating func pop() -> (time: Int64, event: Event)? {
    guard let first = heap.first else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var parent = 0
      while true {
        let left = 2 * parent + 1
        guard left < heap.count else { break }
        var smallest = left
        if left + 1 < heap.count, precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
        guard precedes(heap[smallest], heap[parent]) else { break }
        heap.swapAt(smallest, parent)
        parent = smallest
      }
    }
    return (first.time, first.event)
  }

  private func precedes(_ left: Entry, _ right: Entry) -> Bool {
    left.time < right.time || (left.time == right.time && left.order < right.order)
  }
}
