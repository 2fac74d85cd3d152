/// The one rule for which news about a member wins, used by gossip,
/// push-pull merging and the tests alike (memberlist's semantics):
///
/// - `alive(i)` wins over anything with an incarnation below `i`. An equal
///   incarnation does not win, so only the member itself, by raising its
///   incarnation, can clear a suspicion.
/// - `suspect(i)` wins over `alive(j)` for `i ≥ j`; it never applies to a
///   member that is not alive (a second suspicion is a confirmation, handled
///   by the suspicion timer).
/// - `dead(i)` and `left(i)` win over `alive(j)` and `suspect(j)` for
///   `i ≥ j`; a member already dead or left stays as it is.
///
/// Together: alive(n) < suspect(n) < dead(n) < alive(n + 1) < suspect(n + 1) …
public enum Precedence {
  /// Something heard about a member.
  public enum Claim: Hashable, Sendable {
    /// It is alive at this incarnation.
    case alive(UInt32)
    /// It is suspected at this incarnation.
    case suspect(UInt32)
    /// It is dead (or, with `left`, gone gracefully) at this incarnation.
    case dead(UInt32, left: Bool)
  }

  /// Whether `claim` replaces what is known: a member in `state` at
  /// `incarnation`.
  public static func supersedes(_ claim: Claim, state: MemberState, incarnation: UInt32) -> Bool {
    switch claim {
    case .alive(let claimed):
      return claimed > incarnation
    case .suspect(let claimed):
      return state == .alive && claimed >= incarnation
    case .dead(let claimed, _):
      return state.isActive && claimed >= incarnation
    }
  }
}
