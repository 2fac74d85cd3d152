import RumorWire

/// Every protocol setting of a node. The defaults are memberlist's LAN
/// profile; `init(profile:preset:)` gives the WAN and local ones, and
/// Rumor's policies (`policies`, set together by a `Preset`). Each timing
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
  /// Compress outgoing messages with LZW where that helps
  /// (`EnableCompression`).
  public var compression: Bool
  /// The most gossip messages a node keeps queued; past that, the one sent
  /// most often is dropped (never this node's own news). Serf bounds its
  /// queues likewise (`MaxQueueDepth`); memberlist does not, which in a
  /// join storm gives every member a queue of thousands of alive messages.
  /// Push-pull repairs whatever a dropped message would have told.
  public var broadcastQueueLimit: Int
  /// The most members a node knows at once, itself and not yet reaped dead
  /// and left members included; news of a new name past that is refused
  /// (and counted in `NodeCounters.membersRefused`) until reaping makes
  /// room. memberlist has no cap, so a peer pushing made-up members could
  /// grow the member table without end. 100,000 by default, ten times the
  /// largest cluster Rumor is tuned for; at most memberlist's push-pull
  /// limit of 1,048,576 states.
  public var maxMembers: Int
  /// The behaviours Rumor adds to memberlist's failure detection
  /// (`Policies`), as `preset` set them unless changed since.
  public var policies: Policies

  /// The settings of `profile` with the policies of `preset`. The core's
  /// default is memberlist's behaviour exactly; a node started by
  /// `RumorNode` or the agent uses `Preset.standard`.
  public init(profile: Profile = .lan, preset: Preset = .memberlist) {
    self.profile = profile
    policies = Policies(preset: preset)
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
    compression = true
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
    if gossipToTheDeadTime < .zero {
      problems.append("gossip-to-the-dead time must not be negative")
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
    problems += policies.problems(lifeguard: lifeguard)
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
