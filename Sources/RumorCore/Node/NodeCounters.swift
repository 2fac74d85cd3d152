/// Running totals a node keeps about its traffic and decisions, for the
/// simulator's reports and the agent's metrics.
public struct NodeCounters: Sendable, Hashable {
  /// UDP datagrams sent.
  public var packetsSent = 0
  /// Bytes of UDP datagrams sent.
  public var bytesSent = 0
  /// The largest datagram sent.
  public var largestPacket = 0
  /// UDP datagrams received.
  public var packetsReceived = 0
  /// Bytes of UDP datagrams received.
  public var bytesReceived = 0
  /// Datagrams (or parts of them) dropped because they did not decode.
  public var decodeErrors = 0
  /// TCP streams opened.
  public var streamsOpened = 0
  /// TCP streams accepted and answered.
  public var streamsAnswered = 0
  /// Acks received for this node's probes and the probes it relayed.
  public var acksReceived = 0
  /// Nacks received: helpers of an indirect probe that could not reach
  /// the target either.
  public var nacksReceived = 0
  /// Members this node saw fail (declared dead, by itself or by others).
  public var deaths = 0
  /// Messages waiting in the broadcast queues to be piggybacked (a gauge,
  /// as of the last input).
  public var broadcastQueueDepth = 0
  /// Probes started.
  public var probes = 0
  /// Probes that ended without any ack.
  public var failedProbes = 0
  /// Probes that asked other members to ping the target (no direct ack
  /// in time).
  public var indirectProbes = 0
  /// Suspicions this node raised itself.
  public var suspicionsRaised = 0
  /// Times an unconfirmed suspicion's timeout ran out and was held for a
  /// re-probe instead of declaring the member dead
  /// (`Policies.guardedAccusations`).
  public var accusationsHeld = 0
  /// Probes of a suspect another member accused, drawn to check it
  /// (`Policies.guardedAccusations`).
  public var suspicionChecks = 0
  /// Nacks that came after the failed probe they answered was judged and
  /// took back a health point (`Policies.lateNacks`).
  public var lateNacksCounted = 0
  /// Held suspicions that a re-probe settled as dead (a helper's nack
  /// confirmed the suspect unreachable).
  public var accusationsConfirmedByReprobe = 0
  /// Members this node declared dead on its own timer with nobody to ask,
  /// nobody accusing it and no word from the suspect, kept out of the
  /// gossip (`Policies.guardedAccusations`; `AccusationVerdict`).
  public var deathsKeptLocal = 0
  /// Members told that this node holds them dead, because others had
  /// taken them back alive at the same incarnation
  /// (`Policies.guardedAccusations`).
  public var deathReminders = 0
  /// Failures that put a member in quarantine (`Policies.flapQuarantine`),
  /// a probation's two missed pings in a row included.
  public var quarantines = 0
  /// Alive news ignored because its member was in quarantine.
  public var quarantinedAliveIgnored = 0
  /// Probation pings sent: to a failed member, to see whether it answers
  /// before it is let back in.
  public var probationPings = 0
  /// Members let back in after answering their probation pings.
  public var probationsPassed = 0
  /// Probes ended early by a "port unreachable" report about their target
  /// (`SWIMNode.portUnreachable(_:now:)`).
  public var unreachablePorts = 0
  /// Accusations at an outdated incarnation answered with the member's
  /// current alive message (`Policies.guardedAccusations`).
  public var staleAccusationsCorrected = 0
  /// Of those, corrections that stood in for no random gossip target
  /// (corrections had taken every place of the next probe interval's
  /// rounds already), so that each was a packet more.
  public var staleCorrectionsAddingPackets = 0
  /// Times this node refuted a claim about itself.
  public var refutations = 0
  /// Times this node started standing down (`Policies.standDown`).
  public var standDowns = 0
  /// Accusations against this node it let stand while standing down.
  public var refutationsWithheld = 0
  /// Failed probes that raised no suspicion because this node stood down.
  public var accusationsWithheld = 0
  /// Push-pull exchanges refused because protocol versions clash.
  public var incompatibleMerges = 0
  /// Datagrams cut short at a per-datagram limit: more than
  /// `PacketCodec.maximumMessagesPerPacket` messages, envelopes nested too
  /// deep, or more decompressed bytes than the packet budget allows.
  public var packetsOverLimits = 0
  /// New members refused because `SWIMSettings.maxMembers` are known.
  public var membersRefused = 0
  /// Alive messages that claimed a known member's name (or this node's)
  /// from another address and were refused (memberlist's name conflict).
  public var nameConflicts = 0
  /// Queued news dropped because it can never fit a packet.
  public var oversizedBroadcastsDropped = 0
  /// News about a member (alive, suspect, dead) dropped because its
  /// incarnation is implausibly far ahead of what this node knows
  /// (`SWIMNode.maximumIncarnationJump`).
  public var implausibleIncarnations = 0
  /// Indirect probe requests refused because `SWIMNode.maximumRelays`
  /// were already in flight.
  public var relaysRefused = 0

  /// Creates zeroed counters.
  public init() {}

  /// Adds `other`'s totals to these (the largest packet is the larger of
  /// the two), to sum a cluster's counters.
  public mutating func add(_ other: NodeCounters) {
    packetsSent += other.packetsSent
    bytesSent += other.bytesSent
    largestPacket = max(largestPacket, other.largestPacket)
    packetsReceived += other.packetsReceived
    bytesReceived += other.bytesReceived
    decodeErrors += other.decodeErrors
    streamsOpened += other.streamsOpened
    streamsAnswered += other.streamsAnswered
    acksReceived += other.acksReceived
    nacksReceived += other.nacksReceived
    deaths += other.deaths
    broadcastQueueDepth += other.broadcastQueueDepth
    probes += other.probes
    failedProbes += other.failedProbes
    indirectProbes += other.indirectProbes
    suspicionsRaised += other.suspicionsRaised
    accusationsHeld += other.accusationsHeld
    suspicionChecks += other.suspicionChecks
    lateNacksCounted += other.lateNacksCounted
    deathsKeptLocal += other.deathsKeptLocal
    deathReminders += other.deathReminders
    accusationsConfirmedByReprobe += other.accusationsConfirmedByReprobe
    quarantines += other.quarantines
    quarantinedAliveIgnored += other.quarantinedAliveIgnored
    probationPings += other.probationPings
    probationsPassed += other.probationsPassed
    unreachablePorts += other.unreachablePorts
    staleAccusationsCorrected += other.staleAccusationsCorrected
    staleCorrectionsAddingPackets += other.staleCorrectionsAddingPackets
    refutations += other.refutations
    standDowns += other.standDowns
    refutationsWithheld += other.refutationsWithheld
    accusationsWithheld += other.accusationsWithheld
    incompatibleMerges += other.incompatibleMerges
    packetsOverLimits += other.packetsOverLimits
    membersRefused += other.membersRefused
    nameConflicts += other.nameConflicts
    oversizedBroadcastsDropped += other.oversizedBroadcastsDropped
    implausibleIncarnations += other.implausibleIncarnations
    relaysRefused += other.relaysRefused
  }
}
