import RumorWire

/// Late nacks (`Policies.lateNacks`, beyond memberlist): a helper's nack
/// that comes after the probe it answers was judged still shows that this
/// node's links work, and takes back the health point its absence cost.
extension SWIMNode {
  /// A failed probe was just charged `missing` health points for the
  /// nacks that had not come by its deadline: with the policy on, nacks
  /// that come later may take all but one of them back.
  mutating func noteMissingNacks(_ missing: Int, of probe: ActiveProbe) {
    guard settings.policies.lateNacks, settings.lifeguard, probe.expectedNacks > 0 else {
      return
    }
    lateNackCredit.charged(missing, for: probe.sequence)
  }

  /// A nack arrived that is not for the probe in progress: if it answers
  /// the last failed probe, and that probe's charge still has points to
  /// give back, one comes off this node's health score. Returns whether
  /// it did.
  mutating func creditLateNack(_ nack: Nack, now: Int64) -> Bool {
    guard settings.policies.lateNacks, lateNackCredit.redeem(nack.seqNo) else { return false }
    counters.lateNacksCounted += 1
    adjustHealth(-1, now: now)
    return true
  }
}
