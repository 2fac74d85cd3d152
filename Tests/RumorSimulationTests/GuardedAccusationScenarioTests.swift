import RumorCore
import Testing

@testable import RumorSimulator

@Suite("Guarded accusations in the simulator")
struct GuardedAccusationScenarioTests {
  /// 48 members, 3 of them cut off for 4 s every 8 s for 20 s: with
  /// memberlist's rule, their accusations made in the dark come back as
  /// `dead` for healthy members.
  func cutOffStall(guarded: Bool) -> ScenarioOptions {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = guarded
    return ScenarioOptions(
      scenario: .stall, nodes: 48, seed: 8, settings: settings, duration: 20, affected: 3,
      faultSeconds: 4, intervalSeconds: 4, stallMode: .isolate)
  }

  @Test("members cut off for seconds get healthy members declared dead by healthy ones by default")
  func defaultDeclaresHealthyDead() {
    let (result, reproduce) = simulatePaper(cutOffStall(guarded: false))
    #expect(result.stallCycles == 3, reproduce)
    #expect(result.healthyDeclaredDeadByHealthy > 0, reproduce)
  }

  @Test("with guarded accusations, no healthy member is declared dead by a healthy one")
  func guardedSparesHealthyMembers() {
    let (result, reproduce) = simulatePaper(cutOffStall(guarded: true))
    #expect(result.stallCycles == 3, reproduce)
    #expect(result.convergeSeconds != nil, reproduce)
    #expect(result.falseDeathsAtHealthy == 0, reproduce)
    #expect(result.healthyDeclaredDeadByHealthy == 0, reproduce)
    // The cut-off members still suspected healthy ones: the guard keeps
    // those suspicions from ending in death, it does not hide them.
    #expect(result.falseSuspicions > 0, reproduce)
  }

  @Test("with guarded accusations a crashed member is still declared dead by everyone")
  func guardedStillDetectsCrashes() {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = true
    let options = ScenarioOptions(
      scenario: .crash, nodes: 32, seed: 3, settings: settings, duration: 30, affected: 2)
    let (result, reproduce) = simulatePaper(options)
    #expect(result.detectAllSeconds != nil, reproduce)
    #expect(result.falseDeaths == 0, reproduce)
  }

  @Test("the JSON names the guard, fast crash detection and the suspicion multiplier")
  func jsonFields() {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = true
    settings.suspicionMultiplier = 3
    let result = ScenarioRunner.run(
      ScenarioOptions(scenario: .crash, nodes: 8, seed: 1, settings: settings, duration: 10))
    let text = result.json(includeTiming: false).text
    #expect(text.contains("\"guarded_accusations\":true"), "\(text)")
    #expect(text.contains("\"fast_crash_detection\":false"), "\(text)")
    #expect(text.contains("\"suspicion_multiplier\":3"), "\(text)")
  }

  /// Rapid's gray failures, small: 60 members, one losing 80 % of its
  /// packets and one unreachable 20 s out of every 40, for 160 s.
  func grayFailures(quarantine seconds: Int64, standDown: Int64 = 0) -> ScenarioOptions {
    var settings = SWIMSettings()
    settings.policies.guardedAccusations = true
    settings.policies.flapQuarantine = .seconds(seconds)
    settings.policies.standDown = .seconds(standDown)
    return ScenarioOptions(
      scenario: .gray, nodes: 60, seed: 1, settings: settings, duration: 160, affected: 1)
  }

  @Test("flap quarantine lets the gray-failing members back in less often, and no healthy one out")
  func quarantineDampsReadmissions() throws {
    let (plain, reproducePlain) = simulatePaper(grayFailures(quarantine: 0))
    let (damped, reproduce) = simulatePaper(grayFailures(quarantine: 30))
    func readmissions(_ result: ScenarioResult) -> Int {
      result.faultyViews?.groups.map(\.readmissionsAtHealthy).reduce(0, +) ?? 0
    }
    #expect(plain.counterTotals.quarantines == 0, reproducePlain)
    #expect(!plain.json(includeTiming: false).text.contains("\"quarantines\""), reproducePlain)
    let totals = damped.counterTotals
    #expect(totals.quarantines > 0, reproduce)
    #expect(totals.probationsPassed <= totals.probationPings, reproduce)
    #expect(readmissions(plain) > 0, reproducePlain)
    #expect(readmissions(damped) < readmissions(plain), reproduce)
    #expect(plain.healthyDeclaredDeadByHealthy == 0, reproducePlain)
    #expect(damped.healthyDeclaredDeadByHealthy == 0, reproduce)
    #expect(damped.json(includeTiming: false).text.contains("\"flap_quarantine_s\":30"), reproduce)
  }

  @Test(
    "standing down gets the lossy member out of every healthy view for good, and no healthy one"
  )
  func standDownRemovesLossyMember() throws {
    let (result, reproduce) = simulatePaper(grayFailures(quarantine: 30, standDown: 30))
    let (plain, reproducePlain) = simulatePaper(grayFailures(quarantine: 30))
    let lossy = try #require(result.faultyViews?.groups.first { $0.name == "lossy" }, reproduce)
    #expect(result.counterTotals.standDowns > 0, reproduce)
    // The lossy member stopped accusing healthy members, so fewer false
    // suspicions went round.
    #expect(result.counterTotals.accusationsWithheld > 0, reproduce)
    #expect(result.falseSuspicions < plain.falseSuspicions, reproducePlain)
    #expect(lossy.removedAt != nil, reproduce)
    #expect(lossy.inViewPairs == 0, reproduce)
    #expect(result.healthyDeclaredDeadByHealthy == 0, reproduce)
    #expect(result.json(includeTiming: false).text.contains("\"stand_down_s\":30"), reproduce)
  }

  @Test(
    "after its quarantine a flip-flopping member must keep answering, so it comes back at most once"
  )
  func flipFlopperStaysOut() throws {
    // 30 members for four minutes; the flip-flopper is down 10 s of every
    // 20. Before the probation lasted the quarantine's length, it came
    // back three times per healthy member in this run (four without the
    // quarantine).
    var options = grayFailures(quarantine: 20, standDown: 30)
    options.nodes = 30
    options.duration = 240
    let (result, reproduce) = simulatePaper(options)
    let views = try #require(result.faultyViews, reproduce)
    let flipFlopper = try #require(views.groups.first { $0.name == "flipflop" }, reproduce)
    // Its first failure is forgiven by design (a restart, a healed
    // partition); after the second it stays out.
    #expect(flipFlopper.mostReadmissionsInOneView == 1, reproduce)
    #expect(flipFlopper.readmissionsAtHealthy <= views.healthyObservers, reproduce)
    #expect(views.allRemovedAt != nil, reproduce)
    // The forgiven return may come after both faulty members were first
    // out (it does at most seeds, with or without Serf's layer): then each
    // healthy member sees that one return and its exit, and nothing more.
    #expect(views.viewChangesAfterRemoval <= 2 * views.healthyObservers, reproduce)
    #expect(views.groups.allSatisfy { $0.inViewPairs == 0 }, reproduce)
    #expect(result.healthyDeclaredDeadByHealthy == 0, reproduce)
  }

  @Test("a guarded stall run with one seed produces identical output")
  func determinism() {
    var options = cutOffStall(guarded: true)
    options.nodes = 20
    options.duration = 10
    let first = ScenarioRunner.run(options).json(includeTiming: false).text
    let second = ScenarioRunner.run(options).json(includeTiming: false).text
    #expect(first == second, "seed \(options.seed)")
  }
}
