/// Which query a reply belongs to: its Lamport time and identifier.
public struct QueryHandle: Hashable, Sendable, CustomStringConvertible {
  /// The query clock time the query was sent at.
  public var lamportTime: UInt64
  /// Its random identifier.
  public var id: UInt32

  /// "ltime/id".
  public var description: String { "\(lamportTime)/\(id)" }
}

/// What comes back for a query this node sent (`ClusterNode.sendQuery`),
/// as `Effect.queryReply`: each member's ack and response at most once,
/// then `finished` at the deadline.
public enum QueryReply: Hashable, Sendable {
  /// `from` received the query (when acks were asked for).
  case ack(QueryHandle, from: String)
  /// `from` answered.
  case response(QueryHandle, from: String, payload: [UInt8])
  /// The deadline passed: nothing more is taken.
  case finished(QueryHandle)

  /// The query the reply is about.
  public var handle: QueryHandle {
    switch self {
    case .ack(let handle, _), .response(let handle, _, _), .finished(let handle): handle
    }
  }
}

/// How to send a query: filters, acks, relays and the deadline.
public struct QueryOptions: Hashable, Sendable {
  /// Only these members process it (empty: all).
  public var nodes: [String] = []
  /// Only members whose tag matches the expression (`TagExpression`'s
  /// RE2 subset on Rumor nodes; RE2 on Serf agents).
  public var tags: [String: String] = [:]
  /// Ask every member that processes it for an ack.
  public var requestAck = false
  /// How many other members relay each answer.
  public var relayFactor: UInt8 = 0
  /// How long to wait for answers; nil for Serf's default, gossip
  /// interval × 16 × ⌈log10(n + 1)⌉.
  public var timeout: Duration?

  /// Options for a query to every member, without acks, with the default
  /// deadline.
  public init(
    nodes: [String] = [], tags: [String: String] = [:], requestAck: Bool = false,
    relayFactor: UInt8 = 0, timeout: Duration? = nil
  ) {
    self.nodes = nodes
    self.tags = tags
    self.requestAck = requestAck
    self.relayFactor = relayFactor
    self.timeout = timeout
  }
}
