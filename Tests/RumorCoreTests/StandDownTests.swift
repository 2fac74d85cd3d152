import RumorWire
import Testing

@testable import RumorCore

/// A node that knows 20 members, with `SWIMSettings.standDown` at
/// `seconds` (0: off).
private func standingNode(after seconds: Int64) throws -> SWIMNode {
  var settings = SWIMSettings()
  settings.policies.standDown = .seconds(seconds)
  return try makeNode(knowing: 20, settings: settings)
}

/// Runs the node's timers from `start` to `end`; every ping it sends is
/// answered with an ack at once when `answered`, and lost otherwise (its
/// own links are down: no ack and no nack comes back). Returns the
/// membership events it emitted.
@discardableResult
private func run(
  _ node: inout SWIMNode, from start: Double, to end: Double, answered: Bool
) -> [MembershipEvent] {
  var emitted: [MembershipEvent] = []
  var steps = 0
  while let deadline = node.nextDeadline, deadline <= at(end), steps < 100_000 {
    steps += 1
    var effects = node.tick(now: max(deadline, at(start)))
    emitted += events(effects)
    // An ack can start the next probe at once, whose ping is answered too.
    while answered, !effects.isEmpty, steps < 100_000 {
      steps += 1
      var next: [Effect] = []
      for sent in sentMessages(effects) {
        if case .ping(let ping) = sent.message {
          next += node.receive(.ack(Ack(seqNo: ping.seqNo)), from: sent.to, now: deadline)
        }
      }
      emitted += events(next)
      effects = next
    }
  }
  return emitted
}

/// The events about this node (n0) standing down and resuming, in order.
private func standings(_ events: [MembershipEvent]) -> [String] {
  events.compactMap { event in
    switch event {
    case .stoodDown(let member) where member.name == "n0": "stood down"
    case .resumed(let member) where member.name == "n0": "resumed"
    default: nil
    }
  }
}

/// An accusation against the node (n0) at incarnation 1, from n1.
private let accusation = Message.suspect(Suspect(incarnation: 1, node: "n0", from: "n1"))

@Suite("Standing down when this node's own links fail")
struct StandDownTests {
  @Test(
    "a node whose health stays at its worst stands down: it lets accusations stand and raises no suspicions"
  )
  func standsDown() throws {
    var node = try standingNode(after: 20)
    run(&node, from: 0, to: 20, answered: false)
    // At its worst for under 20 s: still a full member.
    #expect(node.healthScore == 7)
    #expect(!node.isStandingDown)
    let emitted = run(&node, from: 20, to: 60, answered: false)
    #expect(node.isStandingDown)
    #expect(node.counters.standDowns == 1)
    // The application is told, once.
    #expect(standings(emitted) == ["stood down"])
    let raised = node.counters.suspicionsRaised
    let effects = node.receive(accusation, from: address(1), now: at(60))
    #expect(node.incarnation == 1)
    #expect(node.counters.refutations == 0 && node.counters.refutationsWithheld == 1)
    #expect(sentMessages(effects).isEmpty && events(effects).isEmpty)
    run(&node, from: 60, to: 100, answered: false)
    #expect(node.counters.suspicionsRaised == raised)
    #expect(node.counters.accusationsWithheld > 0)
  }

  @Test("it takes part again once its health is perfect, and refutes the accusation it let stand")
  func recovers() throws {
    var node = try standingNode(after: 20)
    run(&node, from: 0, to: 60, answered: false)
    _ = node.receive(accusation, from: address(1), now: at(60))
    #expect(node.isStandingDown)
    // Its links work again: the score falls by one per answered probe.
    run(&node, from: 60, to: 61, answered: true)
    #expect(node.isStandingDown && node.healthScore > 0)
    let emitted = run(&node, from: 61, to: 200, answered: true)
    #expect(!node.isStandingDown)
    #expect(standings(emitted) == ["resumed"])
    #expect(node.incarnation == 2)
    #expect(node.counters.refutations == 1)
    // And it accuses again: a silent member is suspected.
    let raised = node.counters.suspicionsRaised
    run(&node, from: 200, to: 230, answered: false)
    #expect(node.counters.suspicionsRaised > raised)
  }

  @Test("a node standing down starts no push-pull, which would carry its alive record back in")
  func noPushPullWhileStandingDown() throws {
    /// How many push-pulls the node starts in `effects`.
    func pushPulls(_ effects: [Effect]) -> Int {
      effects.filter { effect in
        guard case .openStream(_, _, let request, _, _) = effect,
          let decoded = try? StreamCodec().decode(request[...]),
          case .pushPull = decoded.message
        else { return false }
        return true
      }.count
    }
    var standing = try standingNode(after: 20)
    var plain = try standingNode(after: 0)
    run(&standing, from: 0, to: 60, answered: false)
    run(&plain, from: 0, to: 60, answered: false)
    #expect(standing.isStandingDown)
    // Push-pull every 30 s (20 members): several in 120 s, unless standing down.
    #expect(pushPulls(run(&standing, from: 60, to: 180)) == 0)
    #expect(pushPulls(run(&plain, from: 60, to: 180)) > 0)
  }

  @Test("off by default: a node at its worst still refutes, as memberlist does")
  func offByDefault() throws {
    var node = try standingNode(after: 0)
    run(&node, from: 0, to: 100, answered: false)
    #expect(node.healthScore == 7)
    #expect(!node.isStandingDown)
    _ = node.receive(accusation, from: address(1), now: at(100))
    #expect(node.incarnation == 2)
    #expect(node.counters.standDowns == 0 && node.counters.refutationsWithheld == 0)
  }

  @Test("a stand-down time outside 0 to 86400 seconds is refused")
  func validation() {
    var settings = SWIMSettings()
    settings.policies.standDown = .seconds(-1)
    #expect(throws: SettingsError.self) { try settings.validate() }
    settings.policies.standDown = .seconds(86_401)
    #expect(throws: SettingsError.self) { try settings.validate() }
  }
}
