/// The core's pending deadlines: a binary min-heap of (deadline, order)
/// pairs. Timers are never removed early; a timer whose purpose has gone
/// (an ack arrived, a suspicion was refuted) is recognised and ignored when
/// it fires, which keeps every operation O(log n).
struct TimerQueue<Payload: Sendable>: Sendable {
  private struct Entry {
    var deadline: Int64
    var order: UInt64
    var payload: Payload
  }

  private var heap: [Entry] = []
  private var nextOrder: UInt64 = 0

  /// How many timers are pending.
  var count: Int { heap.count }

  /// The earliest deadline, if any.
  var earliest: Int64? { heap.first?.deadline }

  /// Adds a timer. Timers with equal deadlines fire in the order added.
  mutating func schedule(at deadline: Int64, _ payload: Payload) {
    heap.append(Entry(deadline: deadline, order: nextOrder, payload: payload))
    nextOrder &+= 1
    siftUp(heap.count - 1)
  }

  /// Removes and returns the earliest timer if it is due at `now`.
  mutating func popDue(at now: Int64) -> Payload? {
    guard let first = heap.first, first.deadline <= now else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      siftDown(0)
    }
    return first.payload
  }

  private func precedes(_ left: Entry, _ right: Entry) -> Bool {
    left.deadline < right.deadline || (left.deadline == right.deadline && left.order < right.order)
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[child], heap[parent]) else { return }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { return }
      var smallest = left
      let right = left + 1
      if right < heap.count, precedes(heap[right], heap[left]) { smallest = right }
      guard precedes(heap[smallest], heap[parent]) else { return }
      heap.swapAt(smallest, parent)
      parent = smallest
    }
  }
}
