import RumorDiscovery
import Testing

@Suite struct InstancePickerTests {
  @Test func roundRobinVisitsEveryInstanceInTurnPerService() {
    var picker = InstancePicker(seed: 1)
    let picks = (0..<6).map { _ in picker.pick(among: 3, service: "api", strategy: .roundRobin) }
    #expect(picks == [0, 1, 2, 0, 1, 2])
    let outcome1 = picker.pick(among: 3, service: "redis", strategy: .roundRobin) == 0
    #expect(outcome1)
    let outcome2 = picker.pick(among: 2, service: "api", strategy: .roundRobin) == 0
    #expect(outcome2, "6 % 2")
  }

  @Test func firstAlwaysTakesThePrimary() {
    var picker = InstancePicker(seed: 1)
    for _ in 0..<10 { #expect(picker.pick(among: 4, service: "db", strategy: .first) == 0) }
  }

  @Test func randomIsRoughlyUniformAndRepeatableForASeed() {
    var picker = InstancePicker(seed: 42)
    var counts = [0, 0, 0, 0]
    for _ in 0..<4000 {
      if let index = picker.pick(among: 4, service: "x", strategy: .random) { counts[index] += 1 }
    }
    #expect(counts.allSatisfy { $0 > 850 && $0 < 1150 }, "\(counts)")
    var again = InstancePicker(seed: 42)
    var first = InstancePicker(seed: 42)
    let one = (0..<20).compactMap { _ in again.pick(among: 7, service: "x", strategy: .random) }
    let two = (0..<20).compactMap { _ in first.pick(among: 7, service: "x", strategy: .random) }
    #expect(one == two)
  }

  @Test func leastFailuresAvoidsTheInstanceThatFailsMost() {
    var picker = InstancePicker(seed: 7)
    let failures: [Double] = [9, 0, 3]
    var counts = [0, 0, 0]
    for _ in 0..<3000 {
      if let index = picker.pick(
        among: 3, service: "x", strategy: .leastFailures, failures: { failures[$0] })
      {
        counts[index] += 1
      }
    }
    // Power of two choices: the worst instance loses every comparison.
    #expect(counts[0] == 0)
    #expect(counts[1] > counts[2])
    #expect(counts[2] > 0, "the middle one still wins against the worst")
  }

  @Test func noCandidatesPickNothingAndOneCandidateIsAlwaysPicked() {
    var picker = InstancePicker(seed: 3)
    for strategy in LoadBalancingStrategy.allCases {
      let outcome3 = picker.pick(among: 0, service: "x", strategy: strategy) == nil
      #expect(outcome3)
      let outcome4 = picker.pick(among: 1, service: "x", strategy: strategy) == 0
      #expect(outcome4)
    }
  }
}
