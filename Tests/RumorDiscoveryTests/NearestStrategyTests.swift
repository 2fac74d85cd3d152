import RumorDiscovery
import Testing

@Suite("The nearest strategy: lowest estimated round trip")
struct NearestStrategyTests {
  @Test func theNearestInstanceIsAlwaysTaken() {
    var picker = InstancePicker(seed: 1)
    let rtts: [Duration?] = [.milliseconds(12), .microseconds(400), .milliseconds(3)]
    for _ in 0..<10 {
      #expect(
        picker.pick(among: 3, service: "db", strategy: .nearest, roundTrip: { rtts[$0] }) == 1)
    }
  }

  @Test func equallyNearInstancesAreTakenInTurn() {
    var picker = InstancePicker(seed: 1)
    let rtts: [Duration?] = [.milliseconds(2), .milliseconds(9), .milliseconds(2), nil]
    let picks = (0..<4).map { _ in
      picker.pick(among: 4, service: "api", strategy: .nearest, roundTrip: { rtts[$0] })
    }
    #expect(picks == [0, 2, 0, 2])
  }

  @Test func instancesWithoutAnEstimateComeAfterAnyWithOne() {
    var picker = InstancePicker(seed: 1)
    let rtts: [Duration?] = [nil, nil, .seconds(2)]
    #expect(picker.pick(among: 3, service: "x", strategy: .nearest, roundTrip: { rtts[$0] }) == 2)
  }

  @Test func withNoEstimateAtAllItIsRoundRobin() {
    var picker = InstancePicker(seed: 1)
    let picks = (0..<6).map { _ in picker.pick(among: 3, service: "x", strategy: .nearest) }
    #expect(picks == [0, 1, 2, 0, 1, 2])
    #expect(picker.pick(among: 0, service: "x", strategy: .nearest) == nil)
  }

  @Test func theStrategyIsSpelledNearestInFiles() {
    #expect(LoadBalancingStrategy(rawValue: "nearest") == .nearest)
    #expect(LoadBalancingStrategy.nearest.description == "nearest")
  }
}
