import RumorWire
import Testing

@testable import RumorCore

/// Settings with late nacks `on` or off, the rest memberlist's (TCP
/// fallback pings off, so that only the UDP probe decides).
private func lateNacks(_ on: Bool) -> SWIMSettings {
  var settings = SWIMSettings()
  settings.policies.lateNacks = on
  settings.disableTCPPings = true
  return settings
}

/// Starts a node that knows four others and runs its first probe to the
/// end with no answer from anyone: the target stays silent, and the
/// helpers' nacks are held back. Returns the node, the probe's sequence
/// number, the helpers asked, and the time the probe was judged.
private func failedFirstProbe(_ settings: SWIMSettings) throws -> (
  node: SWIMNode, sequence: UInt32, helpers: [NodeAddress], judged: Double
) {
  var node = try makeNode(knowing: 4, settings: settings)
  let first = try #require(firstProbe(&node))
  var helpers: [NodeAddress] = []
  var now = first.time
  var steps = 0
  // Until the probe is judged: the node's health score moves off 0.
  while node.healthScore == 0, let deadline = node.nextDeadline, steps < 1_000 {
    steps += 1
    now = deadline.seconds
    for sent in sentMessages(node.tick(now: deadline)) {
      if case .indirectPing(let request) = sent.message, request.seqNo == first.ping.seqNo {
        helpers.append(sent.to)
      }
    }
  }
  return (node, first.ping.seqNo, helpers, now)
}

@Suite("Late nacks (beyond memberlist)")
struct LateNackTests {
  @Test("off in the core's default (the memberlist preset), on in the rumor preset")
  func presets() {
    #expect(!SWIMSettings().policies.lateNacks)
    #expect(SWIMSettings(profile: .lan, preset: .rumor).policies.lateNacks)
  }

  @Test(
    "a healthy node judges a failed probe before its helpers can nack, and is charged every nack")
  func judgedBeforeTheNacks() throws {
    for on in [false, true] {
      let probe = try failedFirstProbe(lateNacks(on))
      #expect(probe.helpers.count == 3)
      #expect(probe.node.healthScore == 3)
    }
  }

  @Test("off: nacks that come after the verdict change nothing, as in memberlist")
  func offIgnoresLateNacks() throws {
    var (node, sequence, helpers, judged) = try failedFirstProbe(lateNacks(false))
    for helper in helpers {
      _ = node.receive(.nack(Nack(seqNo: sequence)), from: helper, now: at(judged + 0.01))
    }
    #expect(node.healthScore == 3)
    #expect(node.counters.lateNacksCounted == 0)
  }

  @Test("on: each late nack takes a point back, down to the one point any failed probe costs")
  func onCreditsLateNacks() throws {
    var (node, sequence, helpers, judged) = try failedFirstProbe(lateNacks(true))
    _ = node.receive(.nack(Nack(seqNo: sequence)), from: helpers[0], now: at(judged + 0.01))
    #expect(node.healthScore == 2)
    _ = node.receive(.nack(Nack(seqNo: sequence)), from: helpers[1], now: at(judged + 0.01))
    #expect(node.healthScore == 1)
    // The third helper's nack, or one sent twice, finds nothing left.
    _ = node.receive(.nack(Nack(seqNo: sequence)), from: helpers[2], now: at(judged + 0.02))
    _ = node.receive(.nack(Nack(seqNo: sequence)), from: helpers[0], now: at(judged + 0.02))
    #expect(node.healthScore == 1)
    #expect(node.counters.lateNacksCounted == 2)
  }

  @Test("on: a nack for another sequence number than the last failed probe's counts for nothing")
  func onlyTheLastFailedProbe() throws {
    var (node, sequence, helpers, judged) = try failedFirstProbe(lateNacks(true))
    _ = node.receive(.nack(Nack(seqNo: sequence &- 1)), from: helpers[0], now: at(judged + 0.01))
    _ = node.receive(.nack(Nack(seqNo: sequence &+ 7)), from: helpers[0], now: at(judged + 0.01))
    #expect(node.healthScore == 3)
    #expect(node.counters.lateNacksCounted == 0)
  }
}
