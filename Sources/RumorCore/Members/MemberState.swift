/// A member's state as one node sees it.
public enum MemberState: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
  /// Answering probes, or not yet suspected.
  case alive
  /// A probe failed; the member has until its suspicion timeout to refute.
  case suspect
  /// Declared failed (Serf's and `rumor members`' "failed").
  case dead
  /// Left gracefully.
  case left

  /// The word `rumor members` prints: alive, suspect, failed, left.
  public var description: String {
    switch self {
    case .alive: "alive"
    case .suspect: "suspect"
    case .dead: "failed"
    case .left: "left"
    }
  }

  /// Whether the member counts as part of the cluster (alive or suspect).
  public var isActive: Bool { self == .alive || self == .suspect }
}
