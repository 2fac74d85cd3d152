import RumorWire

/// Network coordinates (Serf's): every ack to a direct ping carries this
/// node's coordinate, and every answered direct probe moves it, from the
/// round trip and the peer's coordinate in the ack.
extension ClusterNode {
  /// This node's network coordinate; nil when coordinates are off.
  public var coordinate: SerfCoordinate? { coordinates?.own }

  /// The last coordinate `member` sent in an ack (this node's own for its
  /// own name); nil when none is known or coordinates are off.
  public func coordinate(of member: String) -> SerfCoordinate? {
    guard let coordinates else { return nil }
    return member == name ? coordinates.own : coordinates.peers[member]
  }

  /// The estimated round trip between two members from their coordinates
  /// (what `serf rtt A B` prints); nil when either is unknown.
  public func estimatedRoundTrip(from first: String, to second: String) -> Duration? {
    guard let one = coordinate(of: first), let other = coordinate(of: second) else { return nil }
    return one.estimatedRoundTrip(to: other)
  }

  /// A direct probe of `member` was answered with `payload` after
  /// `roundTrip`: learn from it, and from now on ack with the new
  /// coordinate.
  mutating func observePing(of member: String, roundTrip: Duration, payload: [UInt8]) {
    guard coordinates?.observe(member: member, roundTrip: roundTrip, payload: payload) == true
    else { return }
    // Cannot fail: the settings limit the dimensions so that the
    // payload fits (`VivaldiSettings.maximumDimensions`).
    try? swim.setAckPayload(coordinates?.ackPayload ?? [])
  }
}
