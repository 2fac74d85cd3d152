import RumorCore
import RumorDiscovery
import Testing

@Suite struct CircuitBreakerTests {
  let start = Timestamp.seconds(100)

  @Test func aBreakerStaysClosedBelowTheThresholdAndASuccessResetsTheCount() {
    var breaker = CircuitBreaker()
    for _ in 0..<4 { breaker.recordFailure(at: start) }
    #expect(breaker.state(at: start) == .closed)
    breaker.recordSuccess()
    for _ in 0..<4 { breaker.recordFailure(at: start) }
    #expect(breaker.state(at: start) == .closed)
    #expect(breaker.consecutiveFailures == 4)
  }

  @Test func fiveFailuresOpenTheCircuitForSixtySecondsThenOneTrialGoesThrough() {
    var breaker = CircuitBreaker()
    for _ in 0..<5 { breaker.recordFailure(at: start) }
    #expect(breaker.state(at: start) == .open)
    let outcome1 = !breaker.allowsRequest(at: start + .seconds(59))
    #expect(outcome1)
    #expect(breaker.reopensAt == start + .seconds(60))
    let later = start + .seconds(60)
    #expect(breaker.state(at: later) == .halfOpen)
    let outcome2 = breaker.allowsRequest(at: later)
    #expect(outcome2)
    let outcome3 = !breaker.allowsRequest(at: later)
    #expect(outcome3, "only one trial while it is out")
    #expect(!breaker.wouldAllowRequest(at: later + .seconds(1)))
  }

  @Test func aSuccessfulTrialClosesTheCircuit() {
    var breaker = CircuitBreaker()
    for _ in 0..<5 { breaker.recordFailure(at: start) }
    let later = start + .seconds(61)
    let outcome4 = breaker.allowsRequest(at: later)
    #expect(outcome4)
    breaker.recordSuccess()
    #expect(breaker.state(at: later) == .closed)
    #expect(breaker.consecutiveFailures == 0)
    let outcome5 = breaker.allowsRequest(at: later)
    #expect(outcome5)
  }

  @Test func aFailedTrialOpensTheCircuitForAnotherFullTimeout() {
    var breaker = CircuitBreaker()
    for _ in 0..<5 { breaker.recordFailure(at: start) }
    let trial = start + .seconds(60)
    let outcome6 = breaker.allowsRequest(at: trial)
    #expect(outcome6)
    breaker.recordFailure(at: trial)
    #expect(breaker.state(at: trial + .seconds(59)) == .open)
    #expect(breaker.state(at: trial + .seconds(60)) == .halfOpen)
  }

  @Test func aTrialWhoseOutcomeIsNeverReportedLapsesAfterTheTimeout() {
    var breaker = CircuitBreaker()
    for _ in 0..<5 { breaker.recordFailure(at: start) }
    let trial = start + .seconds(60)
    let outcome7 = breaker.allowsRequest(at: trial)
    #expect(outcome7)
    let outcome8 = !breaker.allowsRequest(at: trial + .seconds(30))
    #expect(outcome8)
    let outcome9 = breaker.allowsRequest(at: trial + .seconds(60))
    #expect(outcome9)
  }

  @Test func theThresholdAndTimeoutAreConfigurable() {
    var breaker = CircuitBreaker(
      settings: CircuitBreaker.Settings(failureThreshold: 2, resetTimeout: .seconds(5)))
    breaker.recordFailure(at: start)
    #expect(breaker.state(at: start) == .closed)
    breaker.recordFailure(at: start)
    #expect(breaker.state(at: start) == .open)
    #expect(breaker.state(at: start + .seconds(5)) == .halfOpen)
    #expect(CircuitBreaker.Settings(failureThreshold: 0).failureThreshold == 1)
  }
}
