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
