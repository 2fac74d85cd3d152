import Synchronization

/// One result slot per worker thread, filled by the worker and read by
/// the main thread after every worker has finished.
final class ResultSlots<Value: Sendable>: Sendable {
  private let values: Mutex<[Value?]>

  /// `count` empty slots.
  init(count: Int) {
    values = Mutex([Value?](repeating: nil, count: count))
  }

  /// Fills slot `index`.
  func store(_ value: Value, at index: Int) {
    values.withLock { $0[index] = value }
  }

  /// Every slot, in order.
  var all: [Value?] { values.withLock { $0 } }
}
