import RumorWire
import Testing

@testable import RumorCore

/// A compressed stream request is held to the same per-request limit as
/// its raw bytes once inflated: compression cannot carry a push-pull of
/// 200,000 made-up members (~1 MB on the wire, ~8 MB inflated) past the
/// runtime's stream limit.
@Suite("Inflated stream requests")
struct InflatedLimitTests {
  /// A compressed push-pull of `count` made-up members.
  private func request(members count: Int) throws -> [UInt8] {
    let states = (0..<count).map { index in
      PushNodeState(
        name: "fake-\(index)", addr: [127, 0, 0, 3], port: 9, incarnation: 1, state: .alive,
        vsn: ProtocolVersions.rumor.bytes)
    }
    return try StreamCodec().encode(.pushPull(PushPull(states: states)), includeLabel: true)
  }

  @Test("a push-pull that inflates past the limit is refused, merges nothing and is counted")
  func refusedPastTheLimit() throws {
    let bytes = try request(members: 2_000)
    var node = try makeNode(knowing: 1)
    let errors = node.counters.decodeErrors
    let (answer, _) = node.handleStream(bytes, from: address(1), now: at(1), inflatedLimit: 16_384)
    #expect(node.memberCount == 2)
    #expect(node.counters.decodeErrors == errors + 1)
    guard case .reply(let reply) = answer,
      case .error(let error) = try StreamCodec().decode(reply[...], allowLabel: false).message
    else {
      Issue.record("expected an error reply, got \(answer)")
      return
    }
    #expect(error.error.contains("limit"))
  }

  @Test("within the limit, or with none, the same push-pull merges")
  func mergedWithinTheLimit() throws {
    let bytes = try request(members: 2_000)
    var limited = try makeNode(knowing: 1)
    _ = limited.handleStream(bytes, from: address(1), now: at(1), inflatedLimit: 4 << 20)
    #expect(limited.memberCount == 2_002)
    var unlimited = try makeNode(knowing: 1)
    _ = unlimited.handleStream(bytes, from: address(1), now: at(1))
    #expect(unlimited.memberCount == 2_002)
  }
}
