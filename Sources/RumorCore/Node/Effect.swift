import RumorWire

/// What the core asks its owner (the node runtime or the simulator) to do.
/// The core never performs IO itself.
public enum Effect: Sendable, Hashable {
  /// Send `bytes` as one UDP datagram to `address`.
  case send(bytes: [UInt8], to: NodeAddress)
  /// Open a TCP stream to `address`, write `request`, read one reply
  /// message, and report it with `streamReplied(id:bytes:now:)`, or report
  /// `streamFailed(id:reason:refused:now:)` if anything fails or `timeout`
  /// passes. With a `connectTimeout`, also fail if the connection is not
  /// made within it (a reconnect attempt gives up before the system
  /// retransmits its SYN, so that a host out of reach costs one packet).
  case openStream(
    id: UInt64, to: NodeAddress, request: [UInt8], timeout: Duration, connectTimeout: Duration?)
  /// Tell the application about a change in membership.
  case event(MembershipEvent)
  /// Hand a delegate message (Serf's) to the layer above. `SWIMNode` emits
  /// it; `ClusterNode` consumes it and never passes it on.
  case deliver(DelegateMessage)
  /// A join attempt (see `SWIMNode.join`) finished; `error` is nil on
  /// success.
  case joinFinished(address: NodeAddress, error: String?)
  /// A Serf query for the application to answer (`ClusterNode` only), with
  /// `ClusterNode.respond(to:payload:now:)` before its deadline.
  case query(IncomingQuery)
  /// An ack, a response or the end of a query this node sent
  /// (`ClusterNode` only).
  case queryReply(QueryReply)
  /// Deliver a user event to the application (`ClusterNode` only), once
  /// per event however often it arrives.
  case userEvent(UserEvent)
  /// A graceful leave (`ClusterNode.leave`) has been gossiped enough, or
  /// its time ran out: the node may stop now.
  case leaveFinished
  /// This node's name is claimed from another address and the cluster's
  /// answers to its `_serf_conflict` query did not side with its own
  /// address (`ClusterNode` only): stop, as Serf shuts down.
  case nameConflictLost(NameConflictVote)
}

/// A change in membership as seen by one node.
public enum MembershipEvent: Sendable, Hashable {
  /// A member appeared, or came back after failing or leaving.
  case joined(Member)
  /// A member changed its metadata (tags).
  case updated(Member)
  /// A member became suspect.
  case suspected(Member)
  /// A suspected member refuted the suspicion.
  case recovered(Member)
  /// A member was declared failed.
  case failed(Member)
  /// A member left gracefully.
  case left(Member)
  /// This node stood down (`Policies.standDown`): its own health score
  /// has been at its worst for that long, so it takes itself to be the
  /// failing part and stops accusing others and refuting accusations.
  /// The member is this node.
  case stoodDown(Member)
  /// This node's health score is back to perfect after it stood down: it
  /// accuses and refutes again. The member is this node.
  case resumed(Member)
  /// A failed or left member was forgotten: its reconnect or tombstone
  /// timeout ran out (Serf's reap). The member is its last known value.
  case reaped(Member)

  /// The member the event is about.
  public var member: Member {
    switch self {
    case .joined(let member), .updated(let member), .suspected(let member),
      .recovered(let member), .failed(let member), .left(let member), .stoodDown(let member),
      .resumed(let member), .reaped(let member):
      member
    }
  }
}

/// Bytes for the application layered on the protocol (Serf's messages and
/// state), carried by memberlist user messages and push-pull user state.
public enum DelegateMessage: Sendable, Hashable {
  /// A user message received over UDP or TCP.
  case message([UInt8])
  /// A peer's user state from a push-pull exchange.
  case remoteState([UInt8], join: Bool)
  /// A direct probe of `member` was answered after `roundTrip` with an ack
  /// carrying `payload` (memberlist's `NotifyPingComplete`: Serf's network
  /// coordinate). Only non-empty payloads are handed up.
  case pingCompleted(member: String, roundTrip: Duration, payload: [UInt8])
}
