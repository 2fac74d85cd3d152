import Synchronization

/// Collects a stream's elements on a task of its own, so that a test waits
/// for them with `eventually(within:)` (whose deadline allows for a starved
/// concurrency pool) rather than with a bare `next()` under a test time
/// limit: swift-testing starts a time-limited test's clock when the test
/// starts, but runs its body on a new task that can wait minutes for a
/// pool thread while CPU-bound tests hold them (design.md, "Tests on a
/// two-core machine").
final class StreamRecorder<Element: Sendable>: Sendable {
  private struct State {
    var elements: [Element] = []
    var ended = false
  }

  private let state = Mutex(State())
  private let task = Mutex<Task<Void, Never>?>(nil)

  /// Starts collecting `stream`. Take the stream before the action whose
  /// results it should see: a stream hears only what happens after it was
  /// made.
  init(_ stream: AsyncStream<Element>) {
    // Holds the recorder until the stream ends or `cancel()`.
    let collecting = Task {
      for await element in stream { self.state.withLock { $0.elements.append(element) } }
      self.state.withLock { $0.ended = true }
    }
    task.withLock { $0 = collecting }
  }

  /// Everything collected so far, in order.
  var elements: [Element] { state.withLock { $0.elements } }

  /// Whether the stream has ended.
  var ended: Bool { state.withLock { $0.ended } }

  /// Stops collecting.
  func cancel() {
    task.withLock { $0 }?.cancel()
  }
}
