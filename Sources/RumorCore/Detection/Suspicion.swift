#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A suspicion timer with Lifeguard's dynamic timeout (LHA-Suspicion,
/// Lifeguard §IV-B; memberlist's `suspicion.go`).
///
/// It starts at `maximum` and shrinks towards `minimum` as independent
/// members confirm the suspicion: with `c` of the `k` expected
/// confirmations the timeout is `max − (max − min) · ln(c + 1) / ln(k + 1)`,
/// floored to whole milliseconds and never below `min`. A member that is
/// really down is declared dead quickly, because many members probe it; a
/// member suspected by one struggling prober gets the long timeout and time
/// to refute.
struct Suspicion {
  /// When the suspicion started (also the member's state-change time, so
  /// that a timer outliving its suspicion is recognised and ignored).
  let start: Int64
  /// Confirmations needed to reach `minimum`.
  let expected: Int
  /// Shortest timeout, nanoseconds.
  let minimum: Int64
  /// Longest timeout, nanoseconds.
  let maximum: Int64
  /// Who has suspected the member (the first accuser included).
  private(set) var confirmers: Set<String>
  /// Independent confirmations counted (the first accuser excluded).
  private(set) var confirmations = 0
  /// Whether any member other than the first accuser has suspected the
  /// member, counted even past `expected` (or when none are expected).
  private(set) var corroborated = false
  /// When the member is declared dead unless it refutes.
  private(set) var deadline: Int64
  /// Whether its timeout ran out unconfirmed and it now waits for a
  /// re-probe's verdict (`Policies.guardedAccusations`); a
  /// confirmation that arrives later does not release it, since it may be
  /// an echo of this node's own accusation (a push-pull reports a suspect
  /// as the receiver's own suspicion).
  private(set) var held = false
  /// Whether there is proof beyond timeouts that the member is gone (a
  /// refused connection; see `expedite(to:)`), which needs no re-probe.
  private(set) var proven = false
  /// Whether a probe of the member by this node failed while this
  /// suspicion lasted, and a helper's nack or a refused connection showed
  /// this node's own links working (`Policies.guardedAccusations`): the
  /// evidence a re-probe looks for, already in hand.
  private(set) var backedHere = false

  init(from accuser: String, expected: Int, minimum: Int64, maximum: Int64, now: Int64) {
    start = now
    self.expected = expected
    self.minimum = minimum
    self.maximum = maximum
    confirmers = [accuser]
    deadline = now.addingSaturating(expected > 0 ? maximum : minimum)
  }

  /// Counts a suspicion from `accuser`; returns true when it is a new,
  /// independent confirmation (which is then worth re-gossiping).
  mutating func confirm(from accuser: String) -> Bool {
    guard !confirmers.contains(accuser) else { return false }
    corroborated = true
    guard confirmations < expected else { return false }
    confirmers.insert(accuser)
    confirmations += 1
    // Never later than it was: a proven suspicion's deadline
    // (`expedite(to:)`) may already be earlier than the formula's.
    deadline = min(
      deadline,
      start.addingSaturating(
        Self.timeout(
          confirmations: confirmations, expected: expected, minimum: minimum, maximum: maximum)))
    return true
  }

  /// Marks the suspicion as waiting for a re-probe's verdict.
  mutating func hold() {
    held = true
  }

  /// Notes that a probe of the member by this node failed with its own
  /// links shown working (see `backedHere`).
  mutating func noteBackedProbe() {
    backedHere = true
  }

  /// Brings the deadline forward to `deadline` (never back), when there
  /// is proof beyond timeouts that the member is gone.
  mutating func expedite(to deadline: Int64) {
    proven = true
    self.deadline = min(self.deadline, max(start, deadline))
  }

  /// The total timeout after `confirmations` of `expected` confirmations.
  static func timeout(confirmations: Int, expected: Int, minimum: Int64, maximum: Int64) -> Int64 {
    guard expected > 0 else { return minimum }
    let fraction = log(Double(confirmations) + 1) / log(Double(expected) + 1)
    let raw = Double(maximum) - fraction * Double(maximum - minimum)
    let milliseconds = (raw / 1e6).rounded(.down)
    return max(minimum, Int64(milliseconds) * 1_000_000)
  }

  /// The minimum timeout for a cluster of `members`:
  /// `multiplier × max(1, log10(members)) × probeInterval`, with the scale
  /// truncated to thousandths as memberlist does.
  static func minimumTimeout(multiplier: Int, members: Int, probeInterval: Int64) -> Int64 {
    let scale = max(1, log10(Double(max(1, members))))
    let truncated = (scale * 1000).rounded(.down) / 1000
    return Int64(Double(multiplier) * truncated * Double(probeInterval))
  }
}
