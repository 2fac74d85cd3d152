/// Which members failed recently, and so come back only on this node's
/// own evidence, and after a second failure only after a quarantine
/// (`Policies.flapQuarantine`).
///
/// SWIM lets a member declared dead back as soon as it refutes, so one that
/// keeps failing goes out and back in over and over (Rapid §7); Envoy's
/// outlier ejections, longer each time, answer the same problem. A failed
/// member is let back only once it answers this node's pings: two, one
/// probe interval apart, after a first failure (which never quarantines,
/// so a restarted process or a healed partition is back in about a probe
/// interval); after a quarantine it must keep answering for `base`
/// without missing two in a row (HAProxy's `rise` and `fall`), and two
/// misses count as another failure. Measurements: docs/simulation.md,
/// "Flap quarantine".
struct FlapHistory {
  /// What is remembered about one member.
  struct Entry {
    /// Failures counted since the history last started over.
    var failures: Int
    /// When the latest failure was recorded.
    var lastFailure: Int64
    /// Until when alive news about the member is not taken in.
    var quarantinedUntil: Int64
    /// Whether the member answered a ping since its latest quarantine.
    var provedReachable = false
    /// When this node last pinged it to see whether it may come back.
    var lastProbation: Int64 = .min
    /// When it first answered a probation ping since its latest
    /// quarantine ended, if it has.
    var soakStart: Int64?
    /// Probation pings it left unanswered since its latest answer.
    var missedInRow = 0

    /// Whether a failure of it was quarantined: its probation is then
    /// longer and a miss counts against it.
    var wasQuarantined: Bool { failures >= 2 }
  }

  /// What to do with alive news about a member.
  enum Admission: Equatable {
    /// Take it in.
    case admit
    /// Ignore it: the member is quarantined.
    case refuse
    /// The member failed and is not quarantined now: take it in once it
    /// has answered this node's probation pings for long enough.
    case probation
  }

  /// The first quarantine; each later one lasts twice the one before, up
  /// to `longestFactor` times this. Zero turns quarantines off.
  let base: Int64
  private(set) var entries: [String: Entry] = [:]

  /// What a probation ping that got no answer means.
  enum Miss: Equatable {
    /// Nothing more: the member failed only once, so its news is dropped
    /// and the next news it sends starts a new probation from scratch.
    case dropNews
    /// Ping it again one probe interval later.
    case retry
    /// It missed two in a row after a quarantine: a failure, counted, and
    /// a quarantine this long begins.
    case failed(quarantine: Int64)
  }

  /// The longest quarantine as a multiple of `base`; a failure that comes
  /// later than this after the previous one starts the count over.
  static let longestFactor: Int64 = 32

  /// How many pings, at least, a member back from a quarantine answers
  /// over `base` before it is let in: enough that a link down for an
  /// eighth of `base` or longer is seen.
  static let soakChecks: Int64 = 8

  /// The node's probe interval: a member back from a first failure must
  /// answer for this long, and probation pings are never closer.
  let probeInterval: Int64

  init(base: Int64, probeInterval: Int64) {
    self.base = max(0, base)
    self.probeInterval = max(0, probeInterval)
  }

  /// Whether quarantines are on.
  var isEnabled: Bool { base > 0 }

  /// The longest quarantine, and how long failures are remembered.
  var longest: Int64 { base.multipliedReportingOverflow(by: Self.longestFactor).partialValue }

  /// Counts a failure of `member` at `now` and returns how long it is now
  /// quarantined (zero for a first failure).
  @discardableResult
  mutating func recordFailure(of member: String, now: Int64) -> Int64 {
    guard isEnabled else { return 0 }
    var entry = entries[member] ?? Entry(failures: 0, lastFailure: now, quarantinedUntil: now)
    if entry.failures > 0 && now.subtractingSaturating(entry.lastFailure) > longest {
      entry.failures = 0
    }
    entry.failures = min(entry.failures + 1, 64)
    entry.lastFailure = now
    entry.provedReachable = false
    entry.soakStart = nil
    entry.missedInRow = 0
    var length: Int64 = 0
    if entry.failures >= 2 {
      // base × 2^(failures − 2), capped without overflowing.
      let doublings = entry.failures - 2
      length = doublings >= 5 ? longest : min(longest, base << Int64(doublings))
      entry.quarantinedUntil = now.addingSaturating(length)
    }
    entries[member] = entry
    return length
  }

  /// Whether alive news about `member` may be taken in at `now`.
  func admission(of member: String, now: Int64) -> Admission {
    guard let entry = entries[member], entry.failures >= 1 else { return .admit }
    if now < entry.quarantinedUntil { return .refuse }
    return entry.provedReachable ? .admit : .probation
  }

  /// Whether a probation ping to `member` may go out at `now`: at most one
  /// per `interval`, so a member that gossips about itself a lot does not
  /// make this node ping it as often. Notes the ping when it may.
  mutating func startProbation(of member: String, now: Int64, interval: Int64) -> Bool {
    guard var entry = entries[member],
      entry.lastProbation == .min || now.subtractingSaturating(entry.lastProbation) >= interval
    else { return false }
    entry.lastProbation = now
    entries[member] = entry
    return true
  }

  /// `member` answered a probation ping at `now`; returns whether it may
  /// come back now: once it has answered for one `probeInterval` after a
  /// first failure, for `base` after a quarantine, since its first answer.
  mutating func probationAnswered(by member: String, now: Int64) -> Bool {
    guard var entry = entries[member] else { return true }
    entry.missedInRow = 0
    let start = entry.soakStart ?? now
    entry.soakStart = start
    let required = entry.wasQuarantined ? base : probeInterval
    if now.subtractingSaturating(start) >= required { entry.provedReachable = true }
    entries[member] = entry
    return entry.provedReachable
  }

  /// `member` left a probation ping unanswered at `now`.
  mutating func probationMissed(by member: String, now: Int64) -> Miss {
    guard var entry = entries[member] else { return .dropNews }
    guard entry.wasQuarantined else {
      entry.soakStart = nil
      entries[member] = entry
      return .dropNews
    }
    entry.missedInRow += 1
    entries[member] = entry
    guard entry.missedInRow >= 2 else { return .retry }
    return .failed(quarantine: recordFailure(of: member, now: now))
  }

  /// How long to wait between the pings of `member`'s probation: one
  /// probe interval after a first failure; after a quarantine an eighth
  /// of `base`, or the probe interval if that is longer.
  func probationSpacing(of member: String) -> Int64 {
    guard let entry = entries[member], entry.wasQuarantined else { return probeInterval }
    return max(probeInterval, base / Self.soakChecks)
  }

  /// Forgets members whose quarantine is over and whose last failure is
  /// too old to count, so the history stays as small as the trouble.
  mutating func prune(now: Int64) {
    guard !entries.isEmpty else { return }
    let horizon = longest
    entries = entries.filter { _, entry in
      now < entry.quarantinedUntil || now.subtractingSaturating(entry.lastFailure) <= horizon
    }
  }
}
