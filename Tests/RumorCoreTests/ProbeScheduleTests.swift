import RumorWire
import Testing

@testable import RumorCore

/// The probe loop gives up a tick as memberlist's `probe` does: once the
/// entries passed over (this node, dead members) and the wrap to a new
/// round add up to the number of entries.
@Suite("Probe schedule")
struct ProbeScheduleTests {
  /// Pings sent to each member over `seconds`, every ping answered at once.
  private func pings(_ node: inout SWIMNode, seconds: Double) -> [String: Int] {
    var counts: [String: Int] = [:]
    var now = at(0)
    var steps = 0
    while let deadline = node.nextDeadline, deadline <= at(seconds), steps < 100_000 {
      steps += 1
      now = max(now, deadline)
      for (message, target) in sentMessages(node.tick(now: now)) {
        guard case .ping(let ping) = message else { continue }
        counts[ping.node, default: 0] += 1
        _ = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: target, now: now)
      }
    }
    return counts
  }

  @Test("with every member alive, every tick probes someone")
  func everyTickProbes() throws {
    var node = try makeNode(knowing: 3)
    let counts = pings(&node, seconds: 60)
    // One probe interval (1 s, LAN) per tick: 60 ticks, give or take the first.
    #expect(counts.values.reduce(0, +) >= 59)
  }

  @Test("with one other member active, some ticks probe no one, as in memberlist")
  func loneMemberSkipsTicks() throws {
    var node = try makeNode(knowing: 3)
    for dead in [2, 3] {
      _ = node.receive(
        .dead(Dead(incarnation: 1, node: "n\(dead)", from: "n1")), from: address(1), now: at(0))
    }
    let counts = pings(&node, seconds: 60)
    #expect(counts["n2"] == nil && counts["n3"] == nil)
    let probes = counts["n1"] ?? 0
    // memberlist's rule on [n0, n1, n2, n3] in a random order: a tick that
    // starts after n1's place in the round passes the rest of the round
    // and the wrap, and gives up if n1 sits after the entries it has
    // counted by then. Some ticks are lost, never most of them.
    #expect(probes < 58, "every tick probed: \(probes)")
    #expect(probes > 20, "too few probes: \(probes)")
  }
}
