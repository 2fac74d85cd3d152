import RumorWire

/// Two addresses claim one member name (memberlist's conflict delegate):
/// the address this node knows for the name, and another one an alive
/// message claimed it from. memberlist keeps the known address; Serf then
/// asks the cluster which one is right when the name is its own
/// (`ClusterNode`'s name-conflict resolution).
public struct NameConflict: Hashable, Sendable {
  /// The name both claim.
  public var member: String
  /// The address this node holds for it (its own, when the name is).
  public var known: NodeAddress
  /// The other address that claimed it.
  public var claimed: NodeAddress

  /// Creates a conflict.
  public init(member: String, known: NodeAddress, claimed: NodeAddress) {
    self.member = member
    self.known = known
    self.claimed = claimed
  }

  /// The most conflicts kept until taken: the layer above takes them
  /// after every input, so more would only come from a flood of alive
  /// messages, which must not grow memory.
  static let pendingLimit = 16
}
