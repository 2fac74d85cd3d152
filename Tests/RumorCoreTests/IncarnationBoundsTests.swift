import RumorWire
import Testing

@testable import RumorCore

/// No news can push a member's incarnation to where it cannot out-bid it.
@Suite("Incarnation jumps")
struct IncarnationBoundsTests {
  static let jump = SWIMNode.maximumIncarnationJump

  @Test("a forged alive at 0xFFFFFFFF does not take over a member's tags")
  func hijack() throws {
    var node = try makeNode(knowing: 0)
    _ = node.receive(.alive(alive(1, incarnation: 1, meta: [1])), from: address(1), now: at(1))
    _ = node.receive(
      .alive(alive(1, incarnation: .max, meta: [6, 6, 6])), from: address(9), now: at(2))
    #expect(node.member(named: "n1")?.meta == [1])
    #expect(node.member(named: "n1")?.incarnation == 1)
    #expect(node.counters.implausibleIncarnations == 1)
    // The member's own next alive still gets through.
    _ = node.receive(.alive(alive(1, incarnation: 2, meta: [2])), from: address(1), now: at(3))
    #expect(node.member(named: "n1")?.meta == [2])
  }

  @Test("suspect, dead and unknown-member news too far ahead are dropped and counted")
  func otherNews() throws {
    var node = try makeNode(knowing: 2)
    _ = node.receive(
      .suspect(Suspect(incarnation: 1 + Self.jump + 1, node: "n1", from: "n2")), from: address(2),
      now: at(1))
    _ = node.receive(
      .dead(Dead(incarnation: .max, node: "n2", from: "n1")), from: address(1), now: at(1))
    _ = node.receive(.alive(alive(7, incarnation: Self.jump + 1)), from: address(7), now: at(1))
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.member(named: "n2")?.state == .alive)
    #expect(node.member(named: "n7") == nil)
    #expect(node.counters.implausibleIncarnations == 3)
    // Up to the bound is taken.
    _ = node.receive(
      .suspect(Suspect(incarnation: 1 + Self.jump, node: "n1", from: "n2")), from: address(2),
      now: at(2))
    #expect(node.member(named: "n1")?.state == .suspect)
    _ = node.receive(.alive(alive(7, incarnation: Self.jump)), from: address(7), now: at(2))
    #expect(node.member(named: "n7") != nil)
  }

  @Test("an alive about this node at 0xFFFFFFFF is not refuted into a wrap")
  func aboutMe() throws {
    var node = try makeNode(knowing: 1)
    let before = node.incarnation
    let effects = node.receive(
      .alive(Alive(incarnation: .max, node: "n0", addr: address(0).ipBytes, port: address(0).port)),
      from: address(1), now: at(1))
    #expect(node.incarnation == before)
    #expect(node.counters.refutations == 0)
    #expect(node.counters.implausibleIncarnations == 1)
    #expect(sentMessages(effects).isEmpty)
  }

  @Test("this node's incarnation saturates at 0xFFFFFFFF instead of wrapping to 0")
  func neverWraps() throws {
    var node = try makeNode(knowing: 1)
    var rounds = 0
    // Accusations each as far ahead as is plausible walk it to the top.
    while node.incarnation < .max && rounds < 300 {
      let accused = UInt32(
        clamping: min(UInt64(node.incarnation) + UInt64(Self.jump), UInt64(UInt32.max)))
      _ = node.receive(
        .suspect(Suspect(incarnation: accused, node: "n0", from: "n1")), from: address(1),
        now: at(Double(rounds)))
      rounds += 1
    }
    #expect(node.incarnation == .max)
    _ = node.receive(
      .suspect(Suspect(incarnation: .max, node: "n0", from: "n1")), from: address(1),
      now: at(400))
    #expect(node.incarnation == .max)
    _ = try node.updateMeta([1], now: at(401))
    #expect(node.incarnation == .max)
  }
}
