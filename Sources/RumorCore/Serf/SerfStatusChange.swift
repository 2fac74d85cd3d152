/// One member's status moving, as the Serf layer reports it: the source
/// of Serf's member events (join, leave, failed, reap).
public struct SerfStatusChange: Hashable, Sendable, CustomStringConvertible {
  /// The member's name.
  public var member: String
  /// The status before; nil when the member was not known.
  public var previous: SerfMemberStatus?
  /// The status after; nil when the member was forgotten (reaped, or
  /// pruned by a force-leave).
  public var current: SerfMemberStatus?

  /// Creates a change.
  public init(member: String, previous: SerfMemberStatus?, current: SerfMemberStatus?) {
    self.member = member
    self.previous = previous
    self.current = current
  }

  /// For example "web-1: alive -> leaving" or "web-1: left -> (forgotten)".
  public var description: String {
    let before = previous.map(\.description) ?? "(unknown)"
    let after = current.map(\.description) ?? "(forgotten)"
    return "\(member): \(before) -> \(after)"
  }
}
