import RumorWire
import Testing

@testable import RumorCore

/// What one peer can make a node hold: members, names, metadata.
@Suite("Member bounds")
struct MemberBoundsTests {
  /// A push-pull request pushing `states`.
  static func pushPull(_ states: [PushNodeState], join: Bool = false) throws -> [UInt8] {
    try StreamCodec().encode(.pushPull(PushPull(join: join, states: states)), includeLabel: true)
  }

  static func state(_ index: Int, meta: [UInt8] = [], name: String? = nil) -> PushNodeState {
    PushNodeState(
      name: name ?? "m\(index)", addr: [10, 0, UInt8(index >> 8 & 0xff), UInt8(index & 0xff)],
      port: 7946, meta: meta, incarnation: 1, state: .alive, vsn: ProtocolVersions.rumor.bytes)
  }

  @Test("past maxMembers new names are refused and counted, known ones still update")
  func memberCap() throws {
    var settings = SWIMSettings(profile: .lan)
    settings.maxMembers = 10
    var node = try makeNode(knowing: 3, settings: settings)
    let request = try Self.pushPull((1...20).map { Self.state($0) })
    _ = node.handleStream(request, from: address(1), now: at(1))
    #expect(node.memberCount == 10)
    #expect(node.counters.membersRefused == 14)
    // Gossip about a new name is refused too; news about a known one is not.
    _ = node.receive(.alive(alive(50)), from: address(50), now: at(2))
    #expect(node.member(named: "n50") == nil)
    #expect(node.counters.membersRefused == 15)
    _ = node.receive(.alive(alive(1, incarnation: 5)), from: address(1), now: at(2))
    #expect(node.member(named: "n1")?.incarnation == 5)
  }

  @Test("maxMembers is validated")
  func memberCapValidated() {
    var settings = SWIMSettings()
    #expect(settings.maxMembers == 100_000)
    settings.maxMembers = 1
    #expect(throws: SettingsError.self) { try settings.validate() }
    settings.maxMembers = 2_000_000
    #expect(throws: SettingsError.self) { try settings.validate() }
  }

  @Test("a pushed member with oversized metadata or name is skipped and counted; the rest merge")
  func oversizedPushedMember() throws {
    var node = try makeNode(knowing: 1)
    let request = try Self.pushPull([
      Self.state(1), Self.state(2, meta: [UInt8](repeating: 7, count: 513)),
      Self.state(3, name: String(repeating: "z", count: 300)), Self.state(4),
    ])
    let errors = node.counters.decodeErrors
    _ = node.handleStream(request, from: address(1), now: at(1))
    #expect(node.member(named: "m1") != nil)
    #expect(node.member(named: "m2") == nil)
    #expect(node.member(named: "m4") != nil)
    #expect(node.memberCount == 4)
    #expect(node.counters.decodeErrors == errors + 2)
  }

  @Test("an alive with an address that is no IP is counted")
  func badAddress() throws {
    var node = try makeNode(knowing: 1)
    var news = alive(5)
    news.addr = [1, 2, 3]
    _ = node.receive(.alive(news), from: address(5), now: at(1))
    #expect(node.member(named: "n5") == nil)
    #expect(node.counters.decodeErrors == 1)
  }

  @Test("a node name over 255 bytes is refused locally, since peers would refuse it")
  func localName() {
    #expect(throws: SettingsError.self) {
      try SWIMNode(name: String(repeating: "n", count: 256), address: address(0), seed: 1)
    }
  }
}

/// What one datagram can make a node do.
@Suite("Per-datagram work")
struct DatagramWorkTests {
  @Test("the nested compound amplifier delivers at most 512 messages and is counted")
  func amplifier() throws {
    var node = try makeNode(knowing: 1)
    let inner = try Compound.encode(Array(repeating: [MessageType.user.rawValue], count: 255))
    let datagram = try Compound.encode(Array(repeating: inner, count: 80))
    let effects = node.receivePacket(datagram, from: address(1), now: at(1))
    let delivered = effects.filter {
      if case .deliver = $0 { return true }
      return false
    }
    #expect(delivered.count == PacketCodec.maximumMessagesPerPacket)
    #expect(node.counters.packetsOverLimits == 1)
    #expect(node.counters.decodeErrors == 1)
  }

  @Test("indirect probe requests beyond 1,024 in flight are refused and counted")
  func relays() throws {
    var node = try makeNode(knowing: 1)
    var pings = 0
    for index in 0..<1_500 {
      let request = IndirectPing(
        seqNo: UInt32(index), target: [127, 0, 0, 9], port: 9, node: "x",
        sourceAddr: [127, 0, 0, 1],
        sourcePort: 7947)
      let effects = node.receive(.indirectPing(request), from: address(1), now: at(1))
      pings +=
        sentMessages(effects).filter {
          if case .ping = $0.message { return true }
          return false
        }.count
    }
    #expect(node.counters.relaysRefused == 1_500 - SWIMNode.maximumRelays)
    #expect(pings == SWIMNode.maximumRelays)
    // Once they time out, requests are taken again.
    _ = run(&node, from: 1, to: 3)
    _ = node.receive(
      .indirectPing(IndirectPing(seqNo: 1, target: [127, 0, 0, 9], port: 9, node: "x")),
      from: address(1), now: at(3))
    #expect(node.counters.relaysRefused == 1_500 - SWIMNode.maximumRelays)
  }
}
