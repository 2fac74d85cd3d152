import RumorCore
import Testing

@testable import RumorSimulator

@Suite("Late nacks in the simulator")
struct LateNackScenarioTests {
  /// The namespace lab's 60 s split at N=16, seed 1, 20 s after
  /// convergence, with the rumor preset and late nacks `on` or off.
  func split(lateNacks on: Bool) -> ScenarioResult {
    var settings = SWIMSettings(profile: .lan, preset: .rumor)
    settings.policies.lateNacks = on
    var options = ScenarioOptions(
      scenario: .partition, nodes: 16, seed: 1, settings: settings, duration: 90,
      faultSeconds: 60)
    options.faultAfter = 20
    return ScenarioRunner.run(options)
  }

  @Test("in a split, late nacks keep the probe loop going, and the other side is failed sooner")
  func splitSeenSooner() {
    let with = split(lateNacks: true)
    let without = split(lateNacks: false)
    let reproduce =
      "rumor-sim --preset rumor --nodes 16 --scenario partition --fault-seconds 60 --duration 90 --fault-after 20 --seed 1 [--late-nacks=false]"
    // Each side's helpers nack a failed probe of the other side, after
    // the verdict: those nacks now count.
    #expect(with.counterTotals.lateNacksCounted > 0, "\(reproduce)")
    #expect(without.counterTotals.lateNacksCounted == 0, "\(reproduce)")
    // More probes in the same time: the health score stays lower.
    #expect(with.counterTotals.probes > without.counterTotals.probes, "\(reproduce)")
    let sooner = with.split?.failedEverywhereSeconds ?? .infinity
    let later = without.split?.failedEverywhereSeconds ?? .infinity
    #expect(sooner < later, "\(sooner) s against \(later) s: \(reproduce)")
  }
}
