import RumorDiscovery
import Synchronization

/// A health check that is a Swift closure of the application's: it says
/// whether the service is well (a database ping through the service's own
/// pool, a queue's depth, anything a probe from outside cannot see).
///
/// Run on the check's schedule with its timeout. A closure that does not
/// return in time fails that check and is cancelled; until it does
/// return, no second copy is started, so a closure that ignores
/// cancellation costs one task, not one per interval.
public final class ClosureCheck: Sendable {
  /// The application's check: true when the service is well.
  public typealias Body = @Sendable () async -> Bool

  private let body: Body
  private let running = Atomic<Bool>(false)

  /// Wraps `body`.
  public init(_ body: @escaping Body) {
    self.body = body
  }

  /// One check, giving up after `timeout`.
  func run(timeout: Duration) async -> HealthCheckResult {
    let started = BlockingExchange.monotonicNanoseconds()
    func elapsed() -> Duration {
      .nanoseconds(BlockingExchange.monotonicNanoseconds() - started)
    }
    guard !running.exchange(true, ordering: .acquiringAndReleasing) else {
      return HealthCheckResult(
        passed: false, responseTime: .zero,
        error: "the previous check has not returned yet")
    }
    let race = Race()
    return await withCheckedContinuation { continuation in
      race.start(continuation)
      let work = Task {
        let passed = await self.body()
        self.running.store(false, ordering: .releasing)
        race.finish(
          HealthCheckResult(
            passed: passed, responseTime: elapsed(),
            error: passed ? nil : "the check closure returned false"))
      }
      let timer = Task {
        try? await Task.sleep(for: timeout)
        guard !Task.isCancelled else { return }
        if race.finish(
          HealthCheckResult(
            passed: false, responseTime: elapsed(),
            error: "the check closure did not return within \(DurationText.format(timeout))"))
        {
          work.cancel()
        }
      }
      race.setTimer(timer)
    }
  }
}

/// The first of the closure and the timer to finish resumes the
/// continuation; the other does nothing.
private final class Race: Sendable {
  private struct State {
    var continuation: CheckedContinuation<HealthCheckResult, Never>?
    var timer: Task<Void, Never>?
    var done = false
  }

  private let state = Mutex(State())

  func start(_ continuation: CheckedContinuation<HealthCheckResult, Never>) {
    state.withLock { $0.continuation = continuation }
  }

  func setTimer(_ timer: Task<Void, Never>) {
    let cancel = state.withLock { state -> Bool in
      state.timer = timer
      return state.done
    }
    if cancel { timer.cancel() }
  }

  /// Resumes with `result` if nothing did yet; returns whether it did.
  @discardableResult
  func finish(_ result: HealthCheckResult) -> Bool {
    let taken = state.withLock {
      state -> (CheckedContinuation<HealthCheckResult, Never>?, Task<Void, Never>?) in
      guard !state.done else { return (nil, nil) }
      state.done = true
      defer { state.continuation = nil }
      return (state.continuation, state.timer)
    }
    guard let continuation = taken.0 else { return false }
    taken.1?.cancel()
    continuation.resume(returning: result)
    return true
  }
}
