import RumorWire

/// A stale accuser's correction waiting for this node's next gossip round
/// (`Policies.guardedAccusations`, rule 4 of docs/simulation.md
/// "Guarded accusations"): the members whose current alive message the
/// accuser missed, sent to it in place of one of the round's random
/// targets, so that the correction rides in a packet the node sends
/// anyway.
struct PendingCorrection {
  /// Where the stale accusation came from.
  var accuser: NodeAddress
  /// The members to send the current alive message of, first accused
  /// first.
  var members: [String]
  /// When the first of them was queued: a correction is sent by one probe
  /// interval after that at the latest.
  var since: Int64
}
