import RumorWire

/// A stale accuser's correction, collected while one packet is read
/// (`Policies.guardedAccusations`, rule 4 of docs/simulation.md "Guarded
/// accusations"), so that one answer carries every member the packet was
/// stale about.
struct PendingCorrection {
  /// Where the stale accusation came from.
  var accuser: NodeAddress
  /// The members to send the current alive message of, first accused
  /// first.
  var members: [String]
}
