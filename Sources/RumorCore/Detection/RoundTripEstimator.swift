/// Recent round-trip times of direct probes, per member, for the
/// adaptive probe timeout (`SWIMSettings.adaptiveProbeTimeout`).
///
/// memberlist always waits the full `probeTimeout` (500 ms on a LAN) before
/// asking others to probe, though a healthy member on a LAN answers in well
/// under a millisecond. Waiting for a high percentile of what this member
/// actually takes, with a generous margin, hands a dead member to the
/// indirect probes sooner; the verdict still comes only at the end of the
/// probe interval, so a slow answer is never lost, only raced by indirect
/// pings.
struct RoundTripEstimator {
  /// Samples kept per member.
  static let window = 16
  private var samples: [String: [Int64]] = [:]

  /// Records a round trip to `member`.
  mutating func record(_ nanoseconds: Int64, for member: String) {
    var list = samples[member] ?? []
    if list.count == Self.window { list.removeFirst() }
    list.append(nanoseconds)
    samples[member] = list
  }

  /// Forgets `member` (it left or was reaped).
  mutating func forget(_ member: String) {
    samples[member] = nil
  }

  /// How long to wait for a direct ack from `member`: four times the
  /// largest recent sample plus a fixed margin, within
  /// `ceiling / 8 ... ceiling`; `ceiling` with fewer than four samples.
  func timeout(for member: String, ceiling: Int64) -> Int64 {
    guard let list = samples[member], list.count >= 4, let largest = list.max() else {
      return ceiling
    }
    let floor = ceiling / 8
    let estimate = largest.multipliedReportingOverflow(by: 4).partialValue.addingSaturating(
      10_000_000)
    return min(ceiling, max(floor, estimate))
  }
}
