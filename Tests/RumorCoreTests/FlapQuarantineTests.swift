import RumorWire
import Testing

@testable import RumorCore

/// Settings with `SWIMSettings.flapQuarantine` at `seconds`.
private func quarantining(_ seconds: Int64 = 60) -> SWIMSettings {
  var settings = SWIMSettings()
  settings.policies.flapQuarantine = .seconds(seconds)
  return settings
}

/// Gossip that member `index` failed at `incarnation`, as another member
/// would send it.
private func failed(_ index: Int, incarnation: UInt32) -> Message {
  .dead(Dead(incarnation: incarnation, node: "n\(index)", from: "n2"))
}

/// Whether the effects hold an event about `member` of the kind `matches`.
private func announces(
  _ effects: [Effect], _ member: String, _ matches: (MembershipEvent) -> Bool
) -> Bool {
  events(effects).contains { $0.member.name == member && matches($0) }
}

/// Offers `node` an alive message for member `index` and answers the
/// probation ping it sends, if any, with an ack; returns the ping.
@discardableResult
private func offer(
  _ node: inout SWIMNode, _ index: Int, incarnation: UInt32, at seconds: Double,
  answer: Bool = true
) -> Ping? {
  let effects = node.receive(
    .alive(alive(index, incarnation: incarnation)), from: address(index), now: at(seconds))
  let pings = sentMessages(effects).compactMap { sent -> Ping? in
    if case .ping(let ping) = sent.message, sent.to == address(index) { return ping }
    return nil
  }
  guard let ping = pings.first else { return nil }
  if answer {
    _ = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: address(index), now: at(seconds + 0.01))
  }
  return ping
}

/// Runs `node` from `start` to `end`, acking each ping it sends member
/// n1 at once while `answering` says so for the ping's time; returns how
/// many pings n1 got.
@discardableResult
private func runAnsweringN1(
  _ node: inout SWIMNode, from start: Double, to end: Double,
  answering: (Double) -> Bool = { _ in true }
) -> Int {
  var now = at(start)
  var pings = 0
  var steps = 0
  while let deadline = node.nextDeadline, deadline <= at(end), steps < 100_000 {
    steps += 1
    now = max(now, deadline)
    for sent in sentMessages(node.tick(now: now)) where sent.to == address(1) {
      guard case .ping(let ping) = sent.message else { continue }
      pings += 1
      if answering(now.seconds) {
        now = Timestamp(nanoseconds: now.nanoseconds + 10_000_000)
        _ = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: address(1), now: now)
      }
    }
  }
  return pings
}

/// Declares member n1 failed at `first`, takes in its refutation half a
/// second later, and declares it failed again at `second`; the incarnation it
/// would refute with next is 3.
private func failTwice(_ node: inout SWIMNode, first: Double, second: Double) {
  _ = node.receive(failed(1, incarnation: 1), from: address(2), now: at(first))
  offer(&node, 1, incarnation: 2, at: first + 0.5)
  // The second probation ping, a probe interval later.
  runAnsweringN1(&node, from: first + 0.5, to: first + 1.7)
  _ = node.receive(failed(1, incarnation: 2), from: address(2), now: at(second))
}

@Suite("Flap quarantine (beyond memberlist)")
struct FlapQuarantineTests {
  @Test("off in the core's default (the memberlist preset) in every profile, and validated")
  func offByDefault() {
    #expect(SWIMSettings().policies.flapQuarantine == .zero)
    #expect(SWIMSettings(profile: .wan).policies.flapQuarantine == .zero)
    #expect(SWIMSettings(profile: .local).policies.flapQuarantine == .zero)
    var settings = SWIMSettings()
    settings.policies.flapQuarantine = .seconds(-1)
    #expect(throws: SettingsError.self) { try settings.validate() }
    settings.policies.flapQuarantine = .seconds(90_000)
    #expect(throws: SettingsError.self) { try settings.validate() }
  }

  @Test(
    "a first failure never quarantines: the refutation is taken in once the member answers two pings"
  )
  func firstFailureComesBack() throws {
    var node = try makeNode(knowing: 3, settings: quarantining())
    _ = node.receive(failed(1, incarnation: 1), from: address(2), now: at(1))
    #expect(node.member(named: "n1")?.state == .dead)
    let held = node.receive(.alive(alive(1, incarnation: 2)), from: address(1), now: at(2))
    #expect(node.member(named: "n1")?.state == .dead)
    let ping = try #require(
      sentMessages(held).compactMap { sent -> Ping? in
        if case .ping(let ping) = sent.message, sent.to == address(1) { return ping }
        return nil
      }.first)
    _ = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: address(1), now: at(2.001))
    // One answer is not enough: a member losing 80 % of its packets each
    // way gets one in 25 through.
    #expect(node.member(named: "n1")?.state == .dead)
    let pings = runAnsweringN1(&node, from: 2.001, to: 3.1)
    #expect(pings == 1)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.counters.quarantines == 0 && node.counters.quarantinedAliveIgnored == 0)
  }

  @Test("after a first failure, a missed second ping drops the news; the next news starts over")
  func firstFailureMissedPing() throws {
    var node = try makeNode(knowing: 3, settings: quarantining())
    _ = node.receive(failed(1, incarnation: 1), from: address(2), now: at(1))
    #expect(offer(&node, 1, incarnation: 2, at: 2) != nil)
    runAnsweringN1(&node, from: 2.01, to: 4) { _ in false }
    #expect(node.member(named: "n1")?.state == .dead)
    // Not a failure: no quarantine. One answer now is again not enough.
    #expect(offer(&node, 1, incarnation: 2, at: 4) != nil)
    #expect(node.member(named: "n1")?.state == .dead)
    runAnsweringN1(&node, from: 4.01, to: 5.1)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.counters.quarantines == 0)
  }

  @Test("a second failure keeps the member out for the base time, then lets it back")
  func secondFailureQuarantines() throws {
    var node = try makeNode(knowing: 3, settings: quarantining())
    failTwice(&node, first: 1, second: 10)
    #expect(node.counters.quarantines == 1)
    // Its refutation is ignored and not passed on while the quarantine lasts.
    let ignored = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(11))
    #expect(node.member(named: "n1")?.state == .dead)
    #expect(!announces(ignored, "n1") { _ in true })
    #expect(!sentMessages(ignored).contains { if case .alive = $0.message { true } else { false } })
    #expect(node.counters.quarantinedAliveIgnored == 1)
    #expect(offer(&node, 1, incarnation: 4, at: 69.9) == nil)
    #expect(node.member(named: "n1")?.state == .dead)
    // 60 s after the second failure its probation starts; it is let back
    // once it has answered this node's pings for another 60 s.
    #expect(offer(&node, 1, incarnation: 5, at: 70.1) != nil)
    #expect(node.member(named: "n1")?.state == .dead)
    let pings = runAnsweringN1(&node, from: 70.1, to: 129.9)
    // Dead, or reaped once gossip to the dead ended.
    #expect(node.member(named: "n1")?.state != .alive)
    // A ping every 60 s / 8.
    #expect(pings == 7)
    runAnsweringN1(&node, from: 129.9, to: 130.2)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.member(named: "n1")?.incarnation == 5)
    // One probation after each failure.
    #expect(node.counters.probationsPassed == 2)
    #expect(node.counters.quarantines == 1)
  }

  /// A member failed twice (quarantine 10 s), offered back at 14 s, its
  /// probation pings answered from 14 s to 30 s while `answering` says so.
  func probation(answering: (Double) -> Bool) throws -> (node: SWIMNode, pings: Int) {
    var node = try makeNode(knowing: 3, settings: quarantining(10))
    failTwice(&node, first: 1, second: 3)
    #expect(offer(&node, 1, incarnation: 3, at: 14) != nil)
    let pings = runAnsweringN1(&node, from: 14, to: 30, answering: answering)
    return (node, pings)
  }

  @Test("after a quarantine, a member whose link fails again during its probation fails again")
  func linkDownDuringProbation() throws {
    // Reachable for 4 s, then not: two pings in a row go unanswered.
    var (node, _) = try probation { $0 < 18 }
    #expect(node.member(named: "n1")?.state == .dead)
    #expect(node.counters.quarantines == 2)
    // Counted as a third failure: 20 s of quarantine.
    #expect(offer(&node, 1, incarnation: 4, at: 30) == nil)
    #expect(node.counters.probationsPassed == 1)
  }

  @Test("one unanswered ping in a probation is forgiven; the next one is retried a second later")
  func oneMissForgiven() throws {
    // Pings at 14 and 15.26 (lost), a retry at 16.76, then every 1.25 s.
    let (node, pings) = try probation { !(15...15.5).contains($0) }
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.counters.quarantines == 1)
    #expect(pings >= 8)
  }

  @Test("after the quarantine, a member that answers no probation ping stays out, and fails again")
  func probationUnanswered() throws {
    var node = try makeNode(knowing: 3, settings: quarantining(10))
    failTwice(&node, first: 1, second: 3)
    let unanswered = try #require(offer(&node, 1, incarnation: 3, at: 14, answer: false))
    // At most one probation ping at a time, whatever it gossips.
    #expect(offer(&node, 1, incarnation: 4, at: 14.2, answer: false) == nil)
    // A late ack for a ping whose time is up lets nothing in.
    _ = run(&node, from: 14, to: 14.7)
    _ = node.receive(.ack(Ack(seqNo: unanswered.seqNo)), from: address(1), now: at(14.8))
    #expect(node.member(named: "n1")?.state == .dead)
    // The retry a second later is not answered either: a third failure.
    let retries = runAnsweringN1(&node, from: 14.8, to: 17) { _ in false }
    #expect(retries == 1)
    #expect(node.member(named: "n1")?.state == .dead)
    #expect(node.counters.quarantines == 2)
    #expect(offer(&node, 1, incarnation: 5, at: 35.5) == nil)
    // 20 s after it, a probation answered for 10 s lets it in.
    #expect(offer(&node, 1, incarnation: 5, at: 36) != nil)
    runAnsweringN1(&node, from: 36, to: 46.2)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.member(named: "n1")?.incarnation == 5)
  }

  @Test("the news taken in after a probation is the newest that came while it lasted")
  func probationKeepsNewestNews() throws {
    var node = try makeNode(knowing: 3, settings: quarantining(10))
    failTwice(&node, first: 1, second: 3)
    let effects = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(14))
    let ping = try #require(
      sentMessages(effects).compactMap { sent -> Ping? in
        if case .ping(let ping) = sent.message { return ping }
        return nil
      }.first)
    // News while the ping is out, and between two pings.
    _ = node.receive(.alive(alive(1, incarnation: 7)), from: address(1), now: at(14.1))
    _ = node.receive(.ack(Ack(seqNo: ping.seqNo)), from: address(1), now: at(14.2))
    _ = node.receive(.alive(alive(1, incarnation: 9)), from: address(1), now: at(14.3))
    _ = node.receive(.alive(alive(1, incarnation: 8)), from: address(1), now: at(14.4))
    #expect(node.member(named: "n1")?.state == .dead)
    runAnsweringN1(&node, from: 14.4, to: 24.5)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.member(named: "n1")?.incarnation == 9)
  }

  @Test("each further failure doubles the quarantine")
  func doubling() throws {
    var node = try makeNode(knowing: 3, settings: quarantining(10))
    var incarnation: UInt32 = 1
    var now = 1.0
    /// Fails n1, then offers its refutation `after` seconds later.
    func failAndRefute(after: Double) -> Bool {
      _ = node.receive(failed(1, incarnation: incarnation), from: address(2), now: at(now))
      incarnation += 1
      now += after
      offer(&node, 1, incarnation: incarnation, at: now)
      return node.member(named: "n1")?.state == .alive
    }
    /// Offers the refutation `after` seconds later and answers the
    /// probation's pings for 10 s.
    func serveProbation(after: Double) -> Bool {
      now += after
      offer(&node, 1, incarnation: incarnation, at: now)
      runAnsweringN1(&node, from: now, to: now + 10.2)
      now += 10.2
      return node.member(named: "n1")?.state == .alive
    }
    #expect(!failAndRefute(after: 0.5))  // first failure: back once it answers twice
    runAnsweringN1(&node, from: now, to: now + 1.2)
    now += 1.2
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(!failAndRefute(after: 9))  // second: 10 s
    #expect(serveProbation(after: 1.1))
    #expect(!failAndRefute(after: 19))  // third: 20 s
    #expect(serveProbation(after: 1.1))
    #expect(!failAndRefute(after: 39))  // fourth: 40 s
    #expect(node.counters.quarantines == 3)
  }

  @Test("a failure long after the previous one counts as a first failure again")
  func historyStartsOver() throws {
    var node = try makeNode(knowing: 3, settings: quarantining(10))
    // 32 × 10 s later the earlier failure no longer counts.
    failTwice(&node, first: 1, second: 400)
    #expect(offer(&node, 1, incarnation: 3, at: 401) != nil)
    runAnsweringN1(&node, from: 401, to: 402.2)
    #expect(node.member(named: "n1")?.state == .alive)
    #expect(node.counters.quarantines == 0)
  }

  @Test("leaves never count, and a member that left may rejoin at once")
  func leavesDoNotCount() throws {
    var node = try makeNode(knowing: 3, settings: quarantining())
    for round in 0..<3 {
      let incarnation = UInt32(1 + 2 * round)
      _ = node.receive(
        .dead(Dead(incarnation: incarnation, node: "n1", from: "n1")), from: address(1),
        now: at(Double(1 + 2 * round)))
      #expect(node.member(named: "n1")?.state == .left)
      _ = node.receive(
        .alive(alive(1, incarnation: incarnation + 1)), from: address(1),
        now: at(Double(2 + 2 * round)))
      #expect(node.member(named: "n1")?.state == .alive)
    }
    #expect(node.counters.quarantines == 0)
  }

  @Test("a quarantined member forgotten from the table cannot rejoin as a new member early")
  func reapedMemberStaysOut() throws {
    var node = try makeNode(knowing: 3, settings: quarantining(120))
    failTwice(&node, first: 1, second: 3)
    // Past gossip-to-the-dead (30 s) the record is reaped at the next
    // round of probes.
    _ = run(&node, from: 3, to: 60)
    #expect(node.member(named: "n1") == nil)
    _ = node.receive(.alive(alive(1, incarnation: 3)), from: address(1), now: at(61))
    #expect(node.member(named: "n1") == nil)
    #expect(node.counters.quarantinedAliveIgnored == 1)
    #expect(offer(&node, 1, incarnation: 4, at: 124) != nil)
    runAnsweringN1(&node, from: 124, to: 244.2)
    #expect(node.member(named: "n1")?.state == .alive)
  }

  @Test("off: a member comes back after every failure, as in memberlist")
  func offReadmitsEveryTime() throws {
    var node = try makeNode(knowing: 3)
    for round in 0..<4 {
      let incarnation = UInt32(1 + round)
      _ = node.receive(
        failed(1, incarnation: incarnation), from: address(2), now: at(Double(round)))
      _ = node.receive(
        .alive(alive(1, incarnation: incarnation + 1)), from: address(1),
        now: at(Double(round) + 0.5))
      #expect(node.member(named: "n1")?.state == .alive)
    }
  }

  @Test("the history is bounded: entries go once their quarantine and memory are over")
  func historyPrunes() {
    var history = FlapHistory(base: 10, probeInterval: 1)
    history.recordFailure(of: "a", now: 0)
    #expect(history.recordFailure(of: "a", now: 5) == 10)
    #expect(history.recordFailure(of: "a", now: 20) == 20)
    #expect(history.recordFailure(of: "a", now: 50) == 40)
    history.recordFailure(of: "b", now: 50)
    history.prune(now: 50 + 320)
    #expect(history.entries.keys.sorted() == ["a", "b"])
    history.prune(now: 50 + 321)
    #expect(history.entries.isEmpty)
    // The cap: never longer than 32 × base, without overflow.
    var long = FlapHistory(base: 10, probeInterval: 1)
    var last: Int64 = 0
    for step in 0..<70 { last = long.recordFailure(of: "c", now: Int64(step)) }
    #expect(last == 320)
  }

  /// One step of a member's history, and what it must give.
  enum Step {
    case answered(Int64, admitted: Bool)
    case missed(Int64, FlapHistory.Miss)
    case failure(Int64, quarantine: Int64)
    case admission(Int64, FlapHistory.Admission)
  }

  @Test("a probation after a quarantine: answers for the base time, two misses in a row fail")
  func probationRules() {
    var history = FlapHistory(base: 80, probeInterval: 10)
    history.recordFailure(of: "a", now: 0)
    let steps: [Step] = [
      // After a first failure, answers over one probe interval (here 10);
      // a miss only drops the news and starts the count over.
      .answered(1, admitted: false), .missed(2, .dropNews), .answered(11, admitted: false),
      .answered(21, admitted: true), .admission(22, .admit),
      // After a quarantine: answers over `base`, one miss at a time forgiven.
      .failure(30, quarantine: 80), .admission(109, .refuse), .admission(110, .probation),
      .answered(110, admitted: false), .missed(120, .retry), .answered(130, admitted: false),
      .missed(140, .retry), .answered(189, admitted: false), .answered(190, admitted: true),
      .admission(191, .admit),
      // Two misses in a row: another failure, and a quarantine twice as long.
      .failure(200, quarantine: 160), .missed(361, .retry), .missed(362, .failed(quarantine: 320)),
      .admission(363, .refuse),
    ]
    for (index, step) in steps.enumerated() {
      switch step {
      case .answered(let now, let admitted):
        let result = history.probationAnswered(by: "a", now: now)
        #expect(result == admitted, "step \(index)")
      case .missed(let now, let miss):
        let result = history.probationMissed(by: "a", now: now)
        #expect(result == miss, "step \(index)")
      case .failure(let now, let quarantine):
        let result = history.recordFailure(of: "a", now: now)
        #expect(result == quarantine, "step \(index)")
      case .admission(let now, let admission):
        #expect(history.admission(of: "a", now: now) == admission, "step \(index)")
      }
    }
    // Pings an eighth of `base` apart after a quarantine, never closer
    // than a probe interval; a probe interval apart after a first failure.
    #expect(history.probationSpacing(of: "a") == 10)
    var slow = FlapHistory(base: 80, probeInterval: 20)
    slow.recordFailure(of: "a", now: 0)
    slow.recordFailure(of: "a", now: 1)
    #expect(slow.probationSpacing(of: "a") == 20)
    history.recordFailure(of: "b", now: 400)
    #expect(history.probationSpacing(of: "b") == 10)
  }
}
