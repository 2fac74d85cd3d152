import Testing

@testable import RumorCore

@Suite("Lifeguard suspicion timeouts and local health")
struct SuspicionTests {
  let second: Int64 = 1_000_000_000

  @Test("the minimum timeout is α × max(1, log10 n) probe intervals")
  func minimum() {
    #expect(
      Suspicion.minimumTimeout(multiplier: 4, members: 5, probeInterval: second) == 4 * second)
    #expect(
      Suspicion.minimumTimeout(multiplier: 4, members: 10, probeInterval: second) == 4 * second)
    #expect(
      Suspicion.minimumTimeout(multiplier: 4, members: 100, probeInterval: second) == 8 * second)
    #expect(
      Suspicion.minimumTimeout(multiplier: 4, members: 1000, probeInterval: second) == 12 * second)
    #expect(
      Suspicion.minimumTimeout(multiplier: 6, members: 10, probeInterval: 5 * second) == 30 * second
    )
  }

  @Test("LAN, ten members: 24 s, one confirmation 11.381 s, two 4 s")
  func confirmationsShrinkTheTimeout() {
    var suspicion = Suspicion(
      from: "a", expected: 2, minimum: 4 * second, maximum: 24 * second, now: 0)
    #expect(suspicion.deadline == 24 * second)
    var outcomes: [Bool] = []
    outcomes.append(suspicion.confirm(from: "a"))
    outcomes.append(suspicion.confirm(from: "b"))
    #expect(suspicion.deadline == 11_381 * 1_000_000)
    outcomes.append(suspicion.confirm(from: "b"))
    outcomes.append(suspicion.confirm(from: "c"))
    #expect(suspicion.deadline == 4 * second)
    outcomes.append(suspicion.confirm(from: "d"))
    #expect(outcomes == [false, true, false, true, false])
  }

  @Test("a proven deadline stays when confirmations arrive later, and only moves forward")
  func provenDeadlineSurvivesConfirmations() {
    var suspicion = Suspicion(
      from: "a", expected: 2, minimum: 4 * second, maximum: 24 * second, now: 0)
    suspicion.expedite(to: 1 * second)
    #expect(suspicion.proven)
    #expect(suspicion.deadline == 1 * second)
    // The formula would put it at 11.381 s, then 4 s: both later than the proof's.
    let counted = [suspicion.confirm(from: "b"), suspicion.confirm(from: "c")]
    #expect(counted == [true, true])
    #expect(suspicion.deadline == 1 * second)
    suspicion.expedite(to: 2 * second)
    #expect(suspicion.deadline == 1 * second)
  }

  @Test("with no confirmations expected the timeout is the minimum")
  func noConfirmations() {
    let suspicion = Suspicion(
      from: "a", expected: 0, minimum: 3 * second, maximum: 18 * second, now: 5)
    #expect(suspicion.deadline == 3 * second + 5)
  }

  @Test("awareness stays within 0 and max − 1 and scales the interval by score + 1")
  func awareness() {
    var awareness = Awareness(maximum: 8)
    awareness.apply(-1, now: 0)
    #expect(awareness.score == 0)
    awareness.apply(20, now: 1)
    #expect(awareness.score == 7)
    #expect(awareness.scale(second) == 8 * second)
    awareness.apply(-3, now: 2)
    #expect(awareness.scale(second) == 5 * second)
  }

  @Test("awareness remembers since when it has been at its ceiling without a break")
  func saturation() {
    var awareness = Awareness(maximum: 8)
    #expect(awareness.saturatedSince == nil)
    awareness.apply(7, now: 10)
    awareness.apply(3, now: 20)
    #expect(awareness.saturatedSince == 10)
    awareness.apply(-1, now: 30)
    #expect(awareness.saturatedSince == nil)
    awareness.apply(1, now: 40)
    #expect(awareness.saturatedSince == 40)
    // Without Lifeguard the score is always 0, which is no sign of trouble.
    var plain = Awareness(maximum: 1)
    plain.apply(5, now: 50)
    #expect(plain.saturatedSince == nil)
  }
}
