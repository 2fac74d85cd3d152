/// The local health multiplier (Lifeguard §IV-A, memberlist's
/// `awareness.go`): a score from 0 to `maximum − 1` that rises when this
/// node has trouble (failed probes, missed nacks, having to refute) and
/// falls with each successful probe. The probe interval is stretched by
/// `score + 1`, so a slow or overloaded node probes less and accuses less.
struct Awareness {
  /// The multiplier's ceiling (`AwarenessMaxMultiplier`).
  let maximum: Int
  /// The current score.
  private(set) var score = 0
  /// Since when the score has been at its ceiling without a break (nil
  /// while it is below), for `Policies.standDown`.
  private(set) var saturatedSince: Int64?

  init(maximum: Int) {
    self.maximum = max(1, maximum)
  }

  /// Moves the score by `delta`, clamped to `0...maximum - 1`, at `now`.
  mutating func apply(_ delta: Int, now: Int64) {
    score = min(max(score + delta, 0), maximum - 1)
    if score < maximum - 1 || maximum == 1 {
      saturatedSince = nil
    } else if saturatedSince == nil {
      saturatedSince = now
    }
  }

  /// `nanoseconds × (score + 1)`.
  func scale(_ nanoseconds: Int64) -> Int64 {
    nanoseconds.multipliedReportingOverflow(by: Int64(score + 1)).overflow
      ? .max : nanoseconds * Int64(score + 1)
  }
}
