import RumorDiscovery
import Testing

@Suite struct HealthTrackerTests {
  @Test func aServiceIsCriticalUntilItsFirstCheckPasses() {
    var tracker = HealthTracker(failuresBeforeCritical: 3, successesBeforePassing: 1)
    #expect(tracker.health == .critical)
    let outcome1 = tracker.record(passed: true)
    #expect(outcome1)
    #expect(tracker.health == .passing)
    let outcome2 = !tracker.record(passed: true)
    #expect(outcome2, "no change, nothing to gossip")
  }

  @Test func failuresBelowTheThresholdWarnAndTheThresholdMakesItCritical() {
    var tracker = HealthTracker(failuresBeforeCritical: 3, successesBeforePassing: 1)
    tracker.record(passed: true)
    let outcome3 = tracker.record(passed: false)
    #expect(outcome3)
    #expect(tracker.health == .warning)
    let outcome4 = !tracker.record(passed: false)
    #expect(outcome4)
    #expect(tracker.health == .warning)
    let outcome5 = tracker.record(passed: false)
    #expect(outcome5)
    #expect(tracker.health == .critical)
  }

  @Test func aWarningClearsOnTheNextSuccess() {
    var tracker = HealthTracker(failuresBeforeCritical: 3, successesBeforePassing: 2)
    tracker.record(passed: true)
    tracker.record(passed: true)
    tracker.record(passed: false)
    #expect(tracker.health == .warning)
    tracker.record(passed: true)
    #expect(tracker.health == .passing)
  }

  @Test func aCriticalServiceNeedsItsSuccessesBeforePassing() {
    var tracker = HealthTracker(failuresBeforeCritical: 1, successesBeforePassing: 3)
    tracker.record(passed: false)
    #expect(tracker.health == .critical)
    tracker.record(passed: true)
    tracker.record(passed: true)
    #expect(tracker.health == .critical)
    tracker.record(passed: false)
    tracker.record(passed: true)
    tracker.record(passed: true)
    #expect(tracker.health == .critical, "a failure restarts the count")
    tracker.record(passed: true)
    #expect(tracker.health == .passing)
  }

  @Test func theThresholdsComeFromTheCheck() {
    let check = HealthCheck(kind: .tcp, failuresBeforeCritical: 5, successesBeforePassing: 2)
    let tracker = HealthTracker(check: check)
    #expect(tracker.failuresBeforeCritical == 5)
    #expect(tracker.successesBeforePassing == 2)
  }
}
