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
  /// Suspects another member accused that this node drew to check with
  /// its own probe (`SWIMNode.noteAccusationToCheck`), oldest first; at
  /// most `checksLimit`.
  var checks: [String] = []
  /// Whether the last probe that was not a re-probe was such a check
  /// (checks, too, leave every other probe to the round robin).
  var lastProbeWasCheck = false

  /// The most suspects `checks` holds: a node that has more to check
  /// than this is not short of evidence (a partition, a mass failure).
  static let checksLimit = 16
  /// When each accuser last got a stale accusation corrected.
  var corrections = Cooldown<NodeAddress>()
  /// When each member this node holds dead was last told so
  /// (`SWIMNode.remindOfDeath`).
  var reminders = Cooldown<String>()
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
  /// When each sender last sent this node a packet, kept only while this
  /// node suspects someone, and only from the oldest current suspicion on.
  private(set) var heardFrom: [NodeAddress: Int64] = [:]

  /// The most senders `heardFrom` keeps: with more, the oldest evidence
  /// is dropped (a node that suspects every member of a big cluster is
  /// not the lone node the evidence is for).
  static let heardFromLimit = 256

  /// Whether noting `sender` would pass `heardFromLimit`.
  func isFull(adding sender: NodeAddress) -> Bool {
    heardFrom.count >= Self.heardFromLimit && heardFrom[sender] == nil
  }

  /// Drops the packets heard before `time`; if that leaves the map full,
  /// all of them.
  mutating func forgetHeard(before time: Int64) {
    heardFrom = heardFrom.filter { $0.value >= time }
    if heardFrom.count >= Self.heardFromLimit { heardFrom.removeAll() }
  }

  /// Notes a packet from `sender` at `now`.
  mutating func noteHeard(from sender: NodeAddress, now: Int64) {
    heardFrom[sender] = now
  }
}
