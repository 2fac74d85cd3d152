/// A member's status as Serf sees it and `serf members` prints it. The raw
/// values are Serf's `MemberStatus` numbers (0, none, is the absence of a
/// member and has no case here).
public enum SerfMemberStatus: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
  /// memberlist sees the member and it has not announced a leave.
  case alive = 1
  /// The member announced a leave (Serf leave intent) and memberlist still
  /// sees it.
  case leaving = 2
  /// The member left gracefully: it announced its leave, then memberlist
  /// lost it (or a leave intent came for a failed member).
  case left = 3
  /// memberlist lost the member without a leave intent first.
  case failed = 4

  /// The word `serf members` prints.
  public var description: String {
    switch self {
    case .alive: "alive"
    case .leaving: "leaving"
    case .left: "left"
    case .failed: "failed"
    }
  }
}
