import RumorWire

/// A Serf query this node received and should answer (`serf query`,
/// `Effect.query`): respond with `ClusterNode.respond(to:payload:now:)`
/// before `deadline`.
public struct IncomingQuery: Hashable, Sendable {
  /// The query clock time it was sent at.
  public var lamportTime: UInt64
  /// The sender's identifier for it.
  public var id: UInt32
  /// The query's name.
  public var name: String
  /// The query's payload.
  public var payload: [UInt8]
  /// The member that asked (empty from old Serf versions).
  public var source: String
  /// Where responses go.
  public var responseAddress: NodeAddress
  /// How many other members also relay each response.
  public var relayFactor: UInt8
  /// After this, responses are no longer sent.
  public var deadline: Timestamp
}

/// A Serf message to send straight to one address as a memberlist user
/// message (query acks, responses and relays), not gossiped.
public struct DirectSerfMessage: Hashable, Sendable {
  /// The encoded Serf message.
  public var bytes: [UInt8]
  /// Where it goes.
  public var address: NodeAddress
  /// How many random members should relay it too (Serf's relay factor).
  public var relayFactor: UInt8
}
