import RumorWire

/// What guarded accusations (`Policies.guardedAccusations`) keep between
/// inputs: the suspects waiting for a re-probe, the accusers recently
/// corrected and the gossip places their corrections took. Empty, and
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
  /// Corrections called for by the packet being read, at most one per
  /// accuser; sent once it is read.
  var pendingCorrections: [PendingCorrection] = []
  /// Random gossip targets that corrections sent since stand in for: the
  /// next gossip rounds leave that many out.
  var gossipCredit = 0
  /// When this node last refuted an accusation about itself. A node that
  /// others accuse and that suspects every other member in turn is more
  /// likely the one cut off than the last one standing (who nobody is
  /// left to accuse).
  var accusedAt: Int64?
}
