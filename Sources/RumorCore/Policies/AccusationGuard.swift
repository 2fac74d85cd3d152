import RumorWire

/// What guarded accusations (`Policies.guardedAccusations`) keep between
/// inputs: the suspects waiting for a re-probe, the accusers recently
/// corrected and the corrections waiting for a gossip round. Empty, and
/// never consulted, with the policy off.
struct AccusationGuard {
  /// Suspects whose unconfirmed suspicion ran out, waiting for a re-probe,
  /// oldest first.
  var reprobes: [String] = []
  /// Whether the last probe started was such a re-probe (they alternate
  /// with round-robin probes, so that probing goes on).
  var lastProbeWasReprobe = false
  /// When each accuser last got a stale accusation corrected.
  var lastCorrection: [NodeAddress: Int64] = [:]
  /// Corrections waiting for the next gossip round, oldest first; at most
  /// one per accuser.
  var pendingCorrections: [PendingCorrection] = []
}
