import RumorWire

/// Every protocol setting of a node. The defaults are memberlist's LAN
/// profile; `init(profile:)` gives the WAN and local ones. Each setting
/// names the memberlist field (and, where there is one, the paper section)
/// it mirrors.
///
/// Invalid combinations are reported by `validate()`, never trapped on.
public struct SWIMSettings: Sendable, Hashable {
  /// The profile these settings started from.
  public var profile: Profile

  /// How often a member probes one other member (SWIM's protocol period T′;
  /// memberlist `ProbeInterval`). LAN 1 s, WAN 5 s, local 1 s.
  public var probeInterval: Duration
  /// How long to wait for a direct ack before asking others to probe
  /// (`ProbeTimeout`); should be above the 99th percentile of round-trip
  /// time. LAN 500 ms, WAN 3 s, local 200 ms.
  public var probeTimeout: Duration
  /// How many members to ask for an indirect probe (SWIM's k;
  /// `IndirectChecks`). LAN and WAN 3, local 1.
  public var indirectChecks: Int
  /// How often to send gossip besides piggybacking (`GossipInterval`).
  /// LAN 200 ms, WAN 500 ms, local 100 ms.
  public var gossipInterval: Duration
  /// How many members get each gossip round (`GossipNodes`). LAN 3, WAN 4.
  public var gossipNodes: Int
  /// How long dead members still get gossip, so they learn they were
  /// declared dead and can refute (`GossipToTheDeadTime`); also how long
  /// dead and left members are kept before being reaped. LAN 30 s.
  public var gossipToTheDeadTime: Duration
  /// Each broadcast is sent `retransmitMultiplier × ⌈log10(n + 1)⌉` times
  /// (`RetransmitMult`; SWIM §4.1's λ). LAN and WAN 4, local 2.
  public var retransmitMultiplier: Int
  /// α of Lifeguard's suspicion timeout: the minimum is
  /// `α × max(1, log10(n)) × probeInterval` (`SuspicionMult`). LAN 4, WAN 6,
  /// local 3.
  public var suspicionMultiplier: Int
  /// β: the maximum suspicion timeout is β × the minimum
  /// (`SuspicionMaxTimeoutMult`; Lifeguard §IV-B). 6 in every profile.
  public var suspicionMaxTimeoutMultiplier: Int
  /// The most the local health multiplier can stretch the probe interval
  /// (`AwarenessMaxMultiplier`; Lifeguard §IV-A's S). 8.
  public var awarenessMaxMultiplier: Int
  /// How often to exchange full state with one random member over TCP,
  /// scaled up for clusters over 32 (`PushPullInterval`). LAN 30 s, WAN
  /// 60 s, local 15 s. Zero turns anti-entropy off.
  public var pushPullInterval: Duration
  /// Deadline for a TCP exchange (`TCPTimeout`). LAN 10 s, WAN 30 s, local 1 s.
  public var tcpTimeout: Duration
  /// After how long a dead member's name may be taken by a new address
  /// (`DeadNodeReclaimTime`); zero means only after it is reaped.
  public var deadNodeReclaimTime: Duration
  /// The UDP packet budget, everything included (`UDPBufferSize`). 1400.
  public var packetBudget: Int
  /// Skip the TCP fallback ping during indirect probing (`DisableTcpPings`).
  public var disableTCPPings: Bool
  /// Lifeguard's extensions (local health, dynamic suspicion timeouts with
  /// confirmations, nacks, the buddy system). Off gives plain SWIM with
  /// suspicion: a fixed timeout of α × max(1, log10 n) probe intervals, no
  /// nacks, no awareness, no suspect piggybacked to its target; for
  /// comparisons only.
  public var lifeguard: Bool
  /// Beyond memberlist: wait for a direct ack as long as the measured round
  /// trip to that member suggests (a high percentile of recent samples,
  /// within `probeTimeout / 8 ... probeTimeout`) instead of always
  /// `probeTimeout`, so that a dead member is handed to indirect probes
  /// sooner. Off by default until the simulator shows it wins.
  public var adaptiveProbeTimeout: Bool
  /// Beyond memberlist: when the TCP fallback ping of a failed probe is
  /// refused, or the ping itself is answered with an ICMP "port
  /// unreachable" (the target's host answers but nothing listens on its
  /// port: the process is gone; `SWIMNode.portUnreachable(_:now:)`),
  /// suspect it with a timeout of one probe interval instead of
  /// Lifeguard's minutes-long one, and so declare a crashed process dead
  /// in seconds. Such a death is then sent straight to every alive member
  /// of a cluster of up to 64, as a leave is. A stalled process is not affected (its kernel
  /// still accepts the connection), so false positives do not rise; a
  /// firewall that rejects (rather than drops) the gossip port would make
  /// this wrong, which is why it is off by default.
  public var refusedConnectionIsFailure: Bool
  /// Beyond memberlist (needs `lifeguard`): a suspicion that nobody else
  /// has confirmed does not expire into `dead` on its timer alone. When
  /// its timeout runs out, this node probes the suspect once more, in
  /// place of its next round-robin probe: a ping with the suspicion in the
  /// same packet (Lifeguard's buddy system, so a live suspect hears it and
  /// refutes), then indirect pings that ask for nacks. The member is
  /// declared dead only if that probe fails and a helper's nack shows that
  /// this node's own links work and the helper cannot reach the suspect
  /// either; otherwise the suspicion is kept and re-probed one minimum
  /// suspicion timeout later. An independent confirmation in good time
  /// lets the timer expire as usual; one that leaves the suspect less than
  /// two probe intervals to refute (often this node's own accusation,
  /// echoed back by a push-pull) is settled by the re-probe too. A refused
  /// connection (`refusedConnectionIsFailure`) is proof and is not held.
  /// And an accusation at an incarnation below the one this node knows the
  /// member alive at is answered with that newer alive message, sent to
  /// the accuser: it missed the refutation and would otherwise declare the
  /// member dead on its own timer.
  ///
  /// Why: a member cut off from everyone, or losing most of its packets,
  /// fails its probes and suspects healthy members; its suspect messages
  /// are lost, so the accused never refute, and with memberlist's rule
  /// the accuser's own timer, firing once it is back, turns the accusation
  /// into a `dead` that the whole cluster accepts (docs/simulation.md,
  /// the cut-off stall and gray failures). Real crashes are confirmed by
  /// many probers and are not slowed. Only standard messages are sent, so
  /// memberlist peers interoperate; the differences are that such a
  /// suspicion can outlive memberlist's timeout, and that a member whose
  /// only evidence is its own failed probes (every other member it could
  /// ask being unreachable too) keeps the others suspect instead of dead,
  /// unless no other member is alive in its view at all. Under very heavy
  /// loss a single nack is weak evidence (in the simulator, 20 % loss
  /// still gives false deaths, fewer than without the guard). Off by
  /// default to behave exactly like memberlist.
  public var guardedAccusations: Bool
  /// Beyond memberlist: how long a member that is declared dead again
  /// soon after its previous failure is kept out. Alive news about it
  /// (its refutation, a push-pull, a rejoin) is ignored for this long the
  /// first time, twice as long each further time, up to 32 times this;
  /// a failure more than 32 times this after the previous one counts as a
  /// first failure again. With it on, a member that failed comes back
  /// only once it answers pings from this node: two, one probe interval
  /// apart (started when alive news about it arrives); after a
  /// quarantine it must go on answering for this long (one ping every
  /// eighth of it, or every probe interval if that is longer), and two
  /// pings missed in a row count as another failure, so a member whose
  /// link comes and goes is not let back each time it works. A first
  /// failure never quarantines, so a crashed process that restarts or a
  /// member behind a healed partition comes back after those two round
  /// trips, about one probe interval. Leaves never count.
  ///
  /// Why: SWIM re-admits a member as soon as it refutes, so a member that
  /// keeps failing (losing most of its packets, or reachable only now and
  /// then) goes out and back in over and over, and every view changes
  /// with it (Rapid's gray failures, docs/simulation.md); Envoy ejects a
  /// failing host for longer each time for the same reason. Meant
  /// together with `guardedAccusations`, which keeps healthy members from
  /// being declared dead in the first place. The cost: a member that
  /// fails twice within a short time, for whatever reason, stays out of
  /// this node's view for at least this long after its second failure,
  /// even if it is fine again. Nothing changes on the wire; each node
  /// decides for itself from the failures it sees. Zero (the default)
  /// turns it off.
  public var flapQuarantine: Duration
  /// Beyond memberlist: once this node's local health score (Lifeguard)
  /// has stayed at its ceiling this long, the node takes itself to be the
  /// failing part and stands down: it raises no suspicions of its own
  /// (a refused connection still counts) and lets accusations against it
  /// stand instead of refuting them, so the cluster removes it. It takes
  /// part again, refuting the last accusation it let pass, once its score
  /// is back to 0.
  ///
  /// Why: a member that loses most of its packets still gets enough
  /// refutations through to stay in the cluster, and goes on accusing
  /// healthy members; every view keeps changing (Rapid's gray failures,
  /// docs/simulation.md). Its own health score is the one measure it has
  /// that its links, not its peers, are at fault: the score rises when
  /// helpers' nacks go missing, which they do not when the target alone
  /// is down. The cost: a node starved of CPU for that long may stand down
  /// while it still works. Needs Lifeguard; zero (the default) turns it
  /// off.
  public var standDown: Duration
  /// Compress outgoing messages with LZW where that helps
  /// (`EnableCompression`).
  public var compression: Bool
  /// The most gossip messages a node keeps queued; past that, the one sent
  /// most often is dropped (never this node's own news). Serf bounds its
  /// queues likewise (`MaxQueueDepth`); memberlist does not, which in a
  /// join storm gives every member a queue of thousands of alive messages.
  /// Push-pull repairs whatever a dropped message would have told.
  public var broadcastQueueLimit: Int
  /// Beyond memberlist: after a successful join, exchange full state with a
  /// random member this many more times, 2, 6, 14… seconds later (each
  /// wait twice the one before). A member that joins in a join storm learns
  /// who joined after it in seconds instead of at the next push-pull, which
  /// the cluster size stretches to minutes. Push-pull is standard
  /// memberlist, so peers need nothing new. 0 turns it off.
  public var joinFollowUpSyncs: Int
  /// The most members a node knows at once, itself and not yet reaped dead
  /// and left members included; news of a new name past that is refused
  /// (and counted in `NodeCounters.membersRefused`) until reaping makes
  /// room. memberlist has no cap, so a peer pushing made-up members could
  /// grow the member table without end. 100,000 by default, ten times the
  /// largest cluster Rumor is tuned for; at most memberlist's push-pull
  /// limit of 1,048,576 states.
  public var maxMembers: Int

  /// The settings of `profile`.
  public init(profile: Profile = .lan) {
    self.profile = profile
    probeInterval = .seconds(1)
    probeTimeout = .milliseconds(500)
    indirectChecks = 3
    gossipInterval = .milliseconds(200)
    gossipNodes = 3
    gossipToTheDeadTime = .seconds(30)
    retransmitMultiplier = 4
    suspicionMultiplier = 4
    suspicionMaxTimeoutMultiplier = 6
    awarenessMaxMultiplier = 8
    pushPullInterval = .seconds(30)
    tcpTimeout = .seconds(10)
    deadNodeReclaimTime = .zero
    packetBudget = 1400
    disableTCPPings = false
    lifeguard = true
    adaptiveProbeTimeout = false
    refusedConnectionIsFailure = false
    guardedAccusations = false
    flapQuarantine = .zero
    standDown = .zero
    compression = true
    joinFollowUpSyncs = 3
    broadcastQueueLimit = 1024
    maxMembers = 100_000
    switch profile {
    case .lan:
      break
    case .wan:
      tcpTimeout = .seconds(30)
      suspicionMultiplier = 6
      pushPullInterval = .seconds(60)
      probeTimeout = .seconds(3)
      probeInterval = .seconds(5)
      gossipNodes = 4
      gossipInterval = .milliseconds(500)
      gossipToTheDeadTime = .seconds(60)
    case .local:
      tcpTimeout = .seconds(1)
      indirectChecks = 1
      retransmitMultiplier = 2
      suspicionMultiplier = 3
      pushPullInterval = .seconds(15)
      probeTimeout = .milliseconds(200)
      gossipInterval = .milliseconds(100)
      gossipToTheDeadTime = .seconds(15)
    }
  }

  /// Checks that the settings make sense together; the error lists every
  /// problem.
  public func validate() throws(SettingsError) {
    var problems: [String] = []
    func positive(_ value: Duration, _ name: String) {
      if value <= .zero { problems.append("\(name) must be above zero (is \(value))") }
    }
    positive(probeInterval, "probe interval")
    positive(probeTimeout, "probe timeout")
    positive(gossipInterval, "gossip interval")
    positive(tcpTimeout, "TCP timeout")
    if probeTimeout > probeInterval {
      problems.append(
        "probe timeout (\(probeTimeout)) must not exceed the probe interval (\(probeInterval))")
    }
    if pushPullInterval < .zero { problems.append("push-pull interval must not be negative") }
    if !(16...1_000_000).contains(broadcastQueueLimit) {
      problems.append("broadcast queue limit must be 16 to 1000000 (is \(broadcastQueueLimit))")
    }
    if !(0...16).contains(joinFollowUpSyncs) {
      problems.append("join follow-up syncs must be 0 to 16 (is \(joinFollowUpSyncs))")
    }
    if gossipToTheDeadTime < .zero {
      problems.append("gossip-to-the-dead time must not be negative")
    }
    if flapQuarantine < .zero || flapQuarantine > .seconds(86_400) {
      problems.append("flap quarantine must be 0 to 86400 seconds (is \(flapQuarantine))")
    }
    if standDown < .zero || standDown > .seconds(86_400) {
      problems.append("stand-down time must be 0 to 86400 seconds (is \(standDown))")
    }
    if deadNodeReclaimTime < .zero {
      problems.append("dead-node reclaim time must not be negative")
    }
    if !(0...64).contains(indirectChecks) {
      problems.append("indirect checks must be 0 to 64 (is \(indirectChecks))")
    }
    if !(0...64).contains(gossipNodes) {
      problems.append("gossip nodes must be 0 to 64 (is \(gossipNodes))")
    }
    if !(1...64).contains(retransmitMultiplier) {
      problems.append("retransmit multiplier must be 1 to 64 (is \(retransmitMultiplier))")
    }
    if !(1...64).contains(suspicionMultiplier) {
      problems.append("suspicion multiplier must be 1 to 64 (is \(suspicionMultiplier))")
    }
    if !(1...64).contains(suspicionMaxTimeoutMultiplier) {
      problems.append(
        "suspicion max-timeout multiplier must be 1 to 64 (is \(suspicionMaxTimeoutMultiplier))")
    }
    if !(1...64).contains(awarenessMaxMultiplier) {
      problems.append("awareness max multiplier must be 1 to 64 (is \(awarenessMaxMultiplier))")
    }
    if !(2...PushPull.maximumStates).contains(maxMembers) {
      problems.append("max members must be 2 to \(PushPull.maximumStates) (is \(maxMembers))")
    }
    if !(200...65_507).contains(packetBudget) {
      problems.append("packet budget must be 200 to 65507 bytes (is \(packetBudget))")
    }
    if !problems.isEmpty { throw SettingsError(problems: problems) }
  }
}

/// What is wrong with a set of settings: every problem, in words.
public struct SettingsError: Error, Hashable, Sendable, CustomStringConvertible {
  /// One sentence per problem.
  public var problems: [String]

  /// Creates an error listing `problems`.
  public init(problems: [String]) {
    self.problems = problems
  }

  /// The problems joined by "; ".
  public var description: String { problems.joined(separator: "; ") }
}
