/// When a run's fault began and, for faults that last (a pause, a
/// partition, churn), when it ended, as `ScenarioRunner` recorded them.
struct FaultWindow {
  /// Seconds of virtual time when the fault began.
  let start: Double
  /// Seconds when it ended (nil: a departure, which does not end).
  let end: Double?

  /// The fault of `result`'s scenario; nil if it has none.
  init?(_ result: ScenarioResult) {
    guard let start = result.faultStartSeconds, start.isFinite else { return nil }
    self.start = start
    self.end = result.faultEndSeconds.flatMap { $0.isFinite ? $0 : nil }
  }
}
