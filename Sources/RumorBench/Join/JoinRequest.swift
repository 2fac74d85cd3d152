import RumorWire

/// The stream a peer sends to join a node: a memberlist push-pull with
/// `join` set, holding `count` alive member states and, as its user state,
/// Serf's push-pull with each member's status time, so that both the SWIM
/// table and the Serf layer take in every member.
enum JoinRequest {
  /// The first port the fake members advertise; nothing listens there.
  static let firstPort: UInt16 = 47_000
  /// Addresses 127.0.0.2 up to 127.0.0.(1 + addressesPerPort).
  static let addressesPerPort = 200

  /// The encoded stream message, LZW-compressed as memberlist sends it.
  static func bytes(count: Int) throws -> [UInt8] {
    var states: [PushNodeState] = []
    var statusTimes: [String: UInt64] = [:]
    states.reserveCapacity(count)
    statusTimes.reserveCapacity(count)
    for index in 0..<count {
      let name = ClusterFixture.name(index, shape: .realistic)
      let address = self.address(index)
      states.append(
        PushNodeState(
          name: name, addr: address.ipBytes, port: address.port,
          meta: try ClusterFixture.tags(index, build: 0), incarnation: 1, state: .alive,
          vsn: ProtocolVersions.rumor.bytes))
      statusTimes[name] = UInt64(index + 1)
    }
    let serf = SerfPushPull(
      lamportTime: UInt64(count + 1), statusLamportTimes: statusTimes,
      events: [SerfEventBatch?](repeating: nil, count: 512))
    let message = Message.pushPull(
      PushPull(join: true, states: states, userState: SerfMessage.pushPull(serf).encoded()))
    return try StreamCodec().encode(message, includeLabel: false)
  }

  /// Member `index`'s address: 127.0.0.x and a port, distinct for every
  /// index.
  static func address(_ index: Int) -> NodeAddress {
    NodeAddress(
      ipv4: 127, 0, 0, UInt8(truncatingIfNeeded: 2 + index % addressesPerPort),
      port: firstPort &+ UInt16(truncatingIfNeeded: index / addressesPerPort))
  }
}
