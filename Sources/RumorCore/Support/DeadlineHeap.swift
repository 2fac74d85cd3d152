/// Payloads ordered by a deadline, ties broken by the order they were
/// added, so that equal deadlines come out first in, first out and a run
/// is the same every time: a binary min-heap of (deadline, order) pairs.
///
/// The core's timers and the simulator's agenda are both one. Nothing is
/// removed early; a timer whose purpose has gone (an ack arrived, a
/// suspicion was refuted) is recognised and ignored when it comes out,
/// which keeps every operation O(log n). Inlinable, so that the simulator
/// (another module) gets it specialised for its event type.
public struct DeadlineHeap<Payload> {
  @usableFromInline
  struct Entry {
    @usableFromInline var deadline: Int64
    @usableFromInline var order: UInt64
    @usableFromInline var payload: Payload

    @inlinable
    init(deadline: Int64, order: UInt64, payload: Payload) {
      self.deadline = deadline
      self.order = order
      self.payload = payload
    }
  }

  @usableFromInline var heap: [Entry] = []
  @usableFromInline var nextOrder: UInt64 = 0

  /// An empty heap.
  @inlinable
  public init() {}

  /// How many payloads are pending.
  @inlinable
  public var count: Int { heap.count }

  /// Whether nothing is pending.
  @inlinable
  public var isEmpty: Bool { heap.isEmpty }

  /// The earliest deadline, if any.
  @inlinable
  public var earliest: Int64? { heap.first?.deadline }

  /// Adds `payload` at `deadline`, after any already there.
  @inlinable
  public mutating func schedule(at deadline: Int64, _ payload: Payload) {
    heap.append(Entry(deadline: deadline, order: nextOrder, payload: payload))
    nextOrder &+= 1
    siftUp(heap.count - 1)
  }

  /// Removes and returns the earliest payload and its deadline.
  @inlinable
  public mutating func pop() -> (deadline: Int64, payload: Payload)? {
    popEntry().map { ($0.deadline, $0.payload) }
  }

  /// The earliest entry's deadline and its place in the order of
  /// scheduling, if any: what decides which of two equal deadlines comes
  /// out first.
  @inlinable
  public var earliestEntry: (deadline: Int64, order: UInt64)? {
    heap.first.map { ($0.deadline, $0.order) }
  }

  /// Removes and returns the earliest payload with its deadline and its
  /// place in the order of scheduling (for `restore`).
  @inlinable
  public mutating func popEntry() -> (deadline: Int64, order: UInt64, payload: Payload)? {
    guard let first = heap.first else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      siftDown(0)
    }
    return (first.deadline, first.order, first.payload)
  }

  /// Puts back an entry taken out with `popEntry`, in the place in the
  /// order it had: the heap is as if it had never been taken out.
  @inlinable
  public mutating func restore(at deadline: Int64, order: UInt64, _ payload: Payload) {
    heap.append(Entry(deadline: deadline, order: order, payload: payload))
    siftUp(heap.count - 1)
  }

  /// Removes and returns the earliest payload if it is due at `now`.
  @inlinable
  public mutating func popDue(at now: Int64) -> Payload? {
    guard let first = heap.first, first.deadline <= now else { return nil }
    return pop()?.payload
  }

  @inlinable
  func precedes(_ left: Entry, _ right: Entry) -> Bool {
    left.deadline < right.deadline || (left.deadline == right.deadline && left.order < right.order)
  }

  @inlinable
  mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard precedes(heap[child], heap[parent]) else { return }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  @inlinable
  mutating func siftDown(_ start: Int) {
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

extension DeadlineHeap.Entry: Sendable where Payload: Sendable {}
extension DeadlineHeap: Sendable where Payload: Sendable {}
