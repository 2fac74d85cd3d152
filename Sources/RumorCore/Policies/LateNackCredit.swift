/// What late nacks (`Policies.lateNacks`) keep between inputs: the last
/// failed probe this node judged, and how many of the points its missing
/// nacks cost may still be taken back by nacks that arrive after it.
/// Only the last probe: a nack for an older one arrives a whole probe
/// interval late, which says more about the path than about the helper.
struct LateNackCredit {
  /// The sequence number of the last failed probe that was charged for
  /// missing nacks.
  private(set) var sequence: UInt32 = 0
  /// How many more late nacks for it count.
  private(set) var points = 0

  /// A failed probe `sequence` was charged `missing` points for nacks
  /// that had not come: all but one may come back.
  mutating func charged(_ missing: Int, for sequence: UInt32) {
    self.sequence = sequence
    points = max(0, missing - 1)
  }

  /// Whether a nack for `sequence` takes a point back (and spends it).
  mutating func redeem(_ sequence: UInt32) -> Bool {
    guard points > 0, sequence == self.sequence else { return false }
    points -= 1
    return true
  }
}
