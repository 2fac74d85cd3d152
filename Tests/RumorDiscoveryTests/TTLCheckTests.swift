import RumorCore
import RumorWire
import Testing

@testable import RumorDiscovery

@Suite("TTL checks, on fake time")
struct TTLCheckTests {
  let start = Timestamp.seconds(100)

  func at(_ seconds: Double) -> Timestamp { .seconds(100 + seconds) }

  @Test("a TTL check is critical until its first renewal, as Consul's")
  func criticalBeforeTheFirstRenewal() {
    let check = TTLCheckState(ttl: .seconds(30))
    #expect(check.health(at: start) == .critical)
    #expect(check.isExpired(at: start))
    #expect(check.nextChange(after: start) == nil)
    #expect(check.explanation(at: start) == "the TTL check has not been renewed yet")
  }

  @Test("a renewal holds for the TTL and not a nanosecond more")
  func renewalHoldsForTheTTL() {
    var check = TTLCheckState(ttl: .seconds(30))
    check.renew(now: start)
    #expect(check.health(at: at(0)) == .passing)
    #expect(check.health(at: at(29.999)) == .passing)
    #expect(check.nextChange(after: at(10)) == at(30))
    #expect(check.health(at: at(30)) == .critical)
    #expect(check.nextChange(after: at(30)) == nil)
    #expect(check.explanation(at: at(31)) == "the TTL check was not renewed within 30s")
  }

  @Test("each renewal moves the expiry; a late renewal brings it back")
  func renewalsMoveTheExpiry() {
    var check = TTLCheckState(ttl: .seconds(10))
    check.renew(now: at(0))
    check.renew(now: at(8))
    #expect(check.health(at: at(15)) == .passing)
    #expect(check.health(at: at(18)) == .critical)
    check.renew(now: at(40))
    #expect(check.health(at: at(40)) == .passing)
    #expect(check.nextChange(after: at(40)) == at(50))
  }

  @Test("a renewal carries Consul's warn and fail, with a note")
  func statusAndNote() {
    var check = TTLCheckState(ttl: .seconds(10))
    check.renew(.warning, note: "queue 90% full", now: at(0))
    #expect(check.health(at: at(5)) == .warning)
    #expect(check.explanation(at: at(5)) == "queue 90% full")
    #expect(
      check.explanation(at: at(11))
        == "the TTL check was not renewed within 10s (last note: queue 90% full)")
    check.renew(.critical, note: "disk full", now: at(20))
    #expect(check.health(at: at(21)) == .critical)
    #expect(check.nextChange(after: at(21)) == nil, "critical already: expiry changes nothing")
  }

  @Test("a TTL near the end of the clock saturates instead of trapping")
  func saturates() {
    var check = TTLCheckState(ttl: .seconds(86_400))
    let late = Timestamp(nanoseconds: .max - 5)
    check.renew(now: late)
    #expect(check.expiry == Timestamp(nanoseconds: .max))
    #expect(check.health(at: late) == .passing)
  }

  @Test("a tracker takes a status set by the check as is, with no thresholds")
  func trackerTakesSetStatus() {
    var tracker = HealthTracker(failuresBeforeCritical: 3, successesBeforePassing: 2)
    let changes = [
      tracker.set(.passing), tracker.set(.critical), tracker.set(.critical), tracker.set(.warning),
    ]
    #expect(changes == [true, true, false, true])
    #expect(tracker.health == .warning)
  }

  @Test("a file configures a TTL check with type: ttl and ttl:, and shows it")
  func configured() throws {
    let configuration = try ConfigurationLoader.decode(
      """
      advertise:
        worker:
          url: tcp://:9000
          check:
            type: ttl
            ttl: 15s
      """, file: "c.yml")
    let check = try #require(configuration.advertise.first?.check)
    #expect(check == HealthCheck.ttl(.seconds(15)))
    #expect(check.summary == "ttl 15s (critical unless renewed)")
    #expect(ConfigurationJSON.check(check).text == #"{"type":"ttl","ttl":15.0}"#)
  }

  @Test("a TTL check takes no probe settings, ttl: needs type: ttl, and closures are Swift only")
  func configurationErrors() {
    #expect(
      decodingErrors(
        """
        advertise:
          worker:
            url: tcp://:9000
            check:
              type: ttl
              interval: 5s
          web:
            url: http://:80
            check:
              ttl: 10s
          job:
            url: tcp://:1
            check:
              type: closure
        """) == [
          "c.yml:6:7: advertise.worker.check.interval: does not apply to a ttl check, which the application renews (RumorNode.renew) instead of being probed; remove it or set another type",
          "c.yml:10:7: advertise.web.check.ttl: applies to ttl checks only; remove it or set 'type: ttl'",
          "c.yml:14:13: advertise.job.check.type: 'closure' is not a check type (one of http, tcp, redis, ttl)",
        ])
  }
}
