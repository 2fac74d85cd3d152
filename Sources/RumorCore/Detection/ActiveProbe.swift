import RumorWire

/// The probe in progress (SWIM §3, memberlist's `probeNode`): a direct
/// ping, then after `probeTimeout` indirect pings through others and a TCP
/// fallback ping, and at `deadline` a verdict.
struct ActiveProbe {
  let sequence: UInt32
  let target: String
  let targetAddress: NodeAddress
  let start: Int64
  /// `start + probeInterval × (health + 1)`.
  let deadline: Int64
  /// A re-probe of a suspect whose unconfirmed suspicion ran out
  /// (`Policies.guardedAccusations`): its verdict settles that
  /// suspicion instead of raising a new one.
  var reprobe = false
  var acked = false
  var indirectSent = false
  var expectedNacks = 0
  var nacks = 0
  var fallbackStream: UInt64?
  var fallbackReached = false
  /// The fallback ping's connection was refused: the process is gone.
  var fallbackRefused = false
}

/// An indirect ping this node relays for another member: the ping it sent
/// (`sequence`, its own) and where the ack or nack goes.
struct Relay {
  let requesterSequence: UInt32
  let requester: NodeAddress
  let wantsNack: Bool
  var acked = false
}
