/// What the flap quarantine (`Policies.flapQuarantine`) keeps between
/// inputs: who failed when, the alive news held back while its member is
/// on probation, and the probation pings in flight. With the policy off
/// the history records nothing and the rest stays empty.
struct Quarantine {
  /// Members' recent failures and quarantines.
  var history: FlapHistory
  /// Alive news held back while its member is on probation, by member.
  var heldNews: [String: AliveNews] = [:]
  /// The member each probation ping in flight is for, by sequence number.
  var probationPings: [UInt32: String] = [:]
}
