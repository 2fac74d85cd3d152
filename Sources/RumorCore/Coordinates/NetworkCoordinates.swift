import RumorWire

/// A node's network coordinates: its own (a `VivaldiClient`) and the last
/// one each peer sent (Serf's coordinate cache), learned from the acks to
/// its direct probes. Pure and bounded: at most `peerLimit` peers are
/// kept, and a reaped member is forgotten (`forget`).
public struct NetworkCoordinates: Sendable {
  /// This node's coordinate and its estimator.
  public private(set) var client: VivaldiClient
  /// The last coordinate each peer sent, by member name.
  public private(set) var peers: [String: SerfCoordinate] = [:]
  /// What was counted.
  public private(set) var counters = CoordinateCounters()
  /// Bumped on every change (counters included), so that a reader can
  /// tell cheaply whether its copy is current.
  public private(set) var version: UInt64 = 0

  /// Coordinates at the origin; at most `peerLimit` peers are kept.
  public init(settings: VivaldiSettings = VivaldiSettings(), peerLimit: Int, seed: UInt64)
    throws(SettingsError)
  {
    client = try VivaldiClient(settings: settings, peerLimit: peerLimit, seed: seed)
  }

  /// This node's coordinate.
  public var own: SerfCoordinate { client.coordinate }

  /// What this node puts in its acks: Serf's ping payload.
  public var ackPayload: [UInt8] { SerfPingPayload.encode(client.coordinate) }

  /// Takes the answer to a direct probe of `member` (its ack `payload`,
  /// after `roundTrip`): learns the peer's coordinate and moves this
  /// node's (Serf's `NotifyPingComplete`). Returns whether this node's
  /// coordinate changed; a payload that is not a usable coordinate is
  /// counted and ignored, as Serf ignores it.
  @discardableResult
  public mutating func observe(member: String, roundTrip: Duration, payload: [UInt8]) -> Bool {
    // Counters change too when the payload is refused.
    version &+= 1
    let other: SerfCoordinate
    do {
      other = try SerfPingPayload.decode(payload)
    } catch {
      counters.undecodablePayloads += 1
      return false
    }
    do {
      try client.update(peer: member, other: other, roundTrip: roundTrip)
    } catch {
      switch error {
      case .incompatibleDimensions: counters.incompatibleCoordinates += 1
      case .implausible: counters.implausibleCoordinates += 1
      case .roundTripOutOfRange: counters.roundTripsOutOfRange += 1
      case .tooManyPeers: counters.peersRefused += 1
      }
      return false
    }
    // The client tracks the same peers (it refused a new one past the
    // limit above), so this map is bounded by the limit too.
    peers[member] = other
    counters.updates += 1
    counters.resets = client.resets
    return true
  }

  /// Forgets `member`: its coordinate and its latency samples (Serf does
  /// this when it reaps a member).
  public mutating func forget(_ member: String) {
    client.forget(member)
    if peers.removeValue(forKey: member) != nil { version &+= 1 }
  }
}
