/// The first byte of a Serf message inside a memberlist user message.
public enum SerfMessageType: UInt8, Hashable, Sendable, CaseIterable {
  /// `SerfLeave`: a member's intent to leave.
  case leave = 0
  /// `SerfJoin`: a member's intent to join.
  case join = 1
  /// `SerfPushPull`: Serf's state, as memberlist push-pull user state.
  case pushPull = 2
  /// `SerfUserEvent`: a custom event.
  case userEvent = 3
  /// `SerfQuery`: a query to the cluster.
  case query = 4
  /// `SerfQueryResponse`: an answer or ack to a query.
  case queryResponse = 5
  /// A name-conflict answer (inside a query response payload only).
  case conflictResponse = 6
  /// A key-management request (inside a query payload only).
  case keyRequest = 7
  /// A key-management answer (inside a query response payload only).
  case keyResponse = 8
  /// `SerfRelay`: a message to forward to another member.
  case relay = 9

  /// The name used in `rumor decode` output.
  public var name: String {
    switch self {
    case .leave: "leave"
    case .join: "join"
    case .pushPull: "push_pull"
    case .userEvent: "user_event"
    case .query: "query"
    case .queryResponse: "query_response"
    case .conflictResponse: "conflict_response"
    case .keyRequest: "key_request"
    case .keyResponse: "key_response"
    case .relay: "relay"
    }
  }
}
