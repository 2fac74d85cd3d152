/// The behaviours Rumor adds to memberlist's protocol, in one place.
/// Each is one setting here, one piece of state in the node
/// (`Sources/RumorCore/Policies`) and a few documented hooks in the base
/// handlers; each sends only standard memberlist messages, so any peer
/// interoperates. The same name is used by the configuration file
/// (`gossip.fast_crash_detection`), the environment
/// (`RUMOR_FAST_CRASH_DETECTION`) and the flags (`--fast-crash-detection`).
/// Why each exists and what it was measured to do: docs/simulation.md.
public struct Policies: Sendable, Hashable {
  /// A probe answered by "port unreachable" (ICMP) or a refused TCP ping
  /// means nothing listens on the member's port any more: declare it dead
  /// at once and tell every member of a small cluster directly, instead of
  /// Lifeguard's suspicion timeout. A stalled process still has its port,
  /// so it is not affected; a firewall that rejects (rather than drops) the
  /// gossip port would make every member behind it look crashed.
  /// docs/simulation.md, "Crash detection".
  public var fastCrashDetection: Bool
  /// A suspicion nobody else confirmed, or confirmed too late for the
  /// suspect to refute, is declared dead only once a probe of this node's
  /// own (a re-probe, or a failed probe of the suspect during the
  /// suspicion) shows its links work (a helper's nack) and the suspect
  /// unreachable from elsewhere too; a stale accusation about another
  /// member is answered with that member's newer alive message; a
  /// suspicion raised elsewhere is checked by about as many members'
  /// next probes as Lifeguard expects confirmations. Needs Lifeguard.
  /// docs/simulation.md, "Guarded accusations", "The other side of a
  /// split" and "Checking a suspicion, and corrections about oneself".
  public var guardedAccusations: Bool
  /// A member declared dead again within this long of a failure is kept
  /// out (this long, doubling each time up to 32 times), and a failed
  /// member comes back only once it answers this node's pings. Zero turns
  /// it off. docs/simulation.md, "Flap quarantine".
  public var flapQuarantine: Duration
  /// Once this node's Lifeguard health score has stayed at its ceiling this
  /// long, it takes itself to be the failing part: it stops accusing others
  /// and lets accusations against it stand until its score is back to 0.
  /// Zero turns it off; needs Lifeguard. docs/simulation.md, "Standing
  /// down".
  public var standDown: Duration
  /// After a join, exchange full state with a random member up to this
  /// many more times (2, 6, 14 … s later), so a member joining in a join
  /// storm learns who joined after it in seconds. In a cluster small
  /// enough that joiners announce themselves to every member, the first
  /// exchange that changes nothing in the member's view ends them (the
  /// join is complete). 0 to 16; 0 turns it off. docs/simulation.md,
  /// "Join storm".
  public var joinFollowUpSyncs: Int
  /// Make the first periodic full-state exchange at a random moment of the
  /// first push-pull interval after the start. memberlist waits that
  /// random stagger and then a whole interval, scaled to the cluster's
  /// size (30–60 s on the LAN profile up to 32 members; in a cluster of
  /// 10,000, over five minutes), so a member that missed news in its
  /// first minute learns it later. docs/simulation.md, "The first
  /// push-pull".
  public var earlyFirstPushPull: Bool
  /// A member first learned from a full-state exchange is taken in without
  /// gossiping it on, unless a joiner brought it or it came in a join
  /// reply of at most 64 members: the cluster knows it already. memberlist
  /// gossips every member a merge adds, so in a join storm each of them
  /// goes round the whole cluster many times over; without it, a member
  /// that missed a joiner's own gossip learns of it at its next push-pull
  /// or follow-up sync. docs/simulation.md, "Quiet merges and direct
  /// announcements".
  public var quietMerges: Bool
  /// A join and a leave are announced at once, not at the next gossip
  /// round, and sent straight to the members as well as gossiped: a
  /// joiner's alive message to every alive member of a cluster of at most
  /// 64, a leaver's farewell to every alive member. Gossip alone needs
  /// several rounds to reach the last member, and with its few
  /// retransmissions in a small cluster sometimes misses one, which then
  /// suspects the leaver. memberlist leaves both to gossip.
  /// docs/simulation.md, "Quiet merges and direct announcements".
  public var directAnnouncements: Bool
  /// A helper's nack that arrives after the probe it answers was judged
  /// still counts for this node's health (Lifeguard's local health
  /// score): it takes back the point that nack's absence cost, down to
  /// the one point any failed probe costs. memberlist judges a probe at
  /// its deadline, which at a health score of 0 comes before any helper
  /// can nack (each waits a probe timeout of its own), so every failed
  /// probe of a healthy node counts as if no helper had answered, and
  /// probing slows while any member is unreachable; a node whose helpers
  /// do answer has working links. Needs Lifeguard. docs/simulation.md,
  /// "Late nacks".
  public var lateNacks: Bool

  /// The policies of `preset`.
  public init(preset: Preset) {
    switch preset {
    case .memberlist:
      fastCrashDetection = false
      guardedAccusations = false
      flapQuarantine = .zero
      standDown = .zero
      joinFollowUpSyncs = 0
      earlyFirstPushPull = false
      quietMerges = false
      directAnnouncements = false
      lateNacks = false
    case .rumor:
      fastCrashDetection = true
      guardedAccusations = true
      // Off: side by side with memberlist it slowed the merge after a
      // partition and cost load when paused members came back
      // (docs/simulation.md, "Presets").
      flapQuarantine = .zero
      standDown = .seconds(30)
      joinFollowUpSyncs = 3
      earlyFirstPushPull = true
      quietMerges = true
      directAnnouncements = true
      lateNacks = true
    }
  }

  /// What is wrong with these policies, given whether Lifeguard is on.
  func problems(lifeguard: Bool) -> [String] {
    var problems: [String] = []
    if flapQuarantine < .zero || flapQuarantine > .seconds(86_400) {
      problems.append("flap quarantine must be 0 to 86400 seconds (is \(flapQuarantine))")
    }
    if standDown < .zero || standDown > .seconds(86_400) {
      problems.append("stand-down time must be 0 to 86400 seconds (is \(standDown))")
    }
    if !(0...16).contains(joinFollowUpSyncs) {
      problems.append("join follow-up syncs must be 0 to 16 (is \(joinFollowUpSyncs))")
    }
    if !lifeguard && guardedAccusations {
      problems.append("guarded accusations need Lifeguard (its nacks are the evidence)")
    }
    if !lifeguard && lateNacks {
      problems.append("late nacks need Lifeguard (its nacks and health score)")
    }
    if !lifeguard && standDown > .zero {
      problems.append("standing down needs Lifeguard (its health score is the signal)")
    }
    return problems
  }
}
