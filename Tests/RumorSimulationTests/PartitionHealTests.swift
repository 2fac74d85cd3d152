import RumorCore
import Testing

@testable import RumorSimulator

@Suite("Partitions longer than memberlist's gossip-to-the-dead window")
struct PartitionHealTests {
  /// A 50/50 split of 20 members for `seconds`, then healed.
  func split(seconds: Double, serf: Bool = true) -> ScenarioOptions {
    var options = ScenarioOptions(
      scenario: .partition, nodes: 20, seed: 3, duration: seconds + 90, faultSeconds: seconds)
    options.serf = serf
    return options
  }

  @Test(
    "a healed partition merges into one view within Serf's reconnect interval, however long it lasted",
    arguments: [10.0, 60, 600])
  func partitionHeals(seconds: Double) {
    let (result, reproduce) = simulate(split(seconds: seconds))
    let merged = result.remergeSeconds
    #expect(merged != nil, reproduce)
    // Each side tries a failed member every 30 s (with probability
    // failed / alive = 1 here); one push-pull and a few gossip rounds do
    // the rest.
    #expect((merged ?? .infinity) <= 35, "merged after \(merged ?? -1) s; \(reproduce)")
  }

  @Test("without Serf's reconnect a partition past the gossip-to-the-dead window never heals")
  func plainMemberlistStaysSplit() {
    // memberlist forgets failed members after 30 s and has no reconnect:
    // this is the split that never healed before Serf's layer kept failed
    // members and the reconnect moved into the core.
    let (result, reproduce) = simulate(split(seconds: 60, serf: false))
    #expect(result.remergeSeconds == nil, reproduce)
  }
}

@Suite("Serf user events in the simulator")
struct UserEventScenarioTests {
  @Test("a user event reaches every member exactly once, and two at once both do")
  func userEventReachesEveryone() {
    let (one, reproduce) = simulate(
      ScenarioOptions(scenario: .event, nodes: 100, seed: 4, duration: 10, affected: 1))
    #expect(one.eventDeliveries == 100, reproduce)
    // Gossip reaches n members in O(log n) rounds of 200 ms.
    #expect((one.eventSeconds ?? .infinity) < 3, reproduce)
    let (two, reproduceTwo) = simulate(
      ScenarioOptions(scenario: .event, nodes: 100, seed: 5, duration: 10, affected: 2))
    #expect(two.eventDeliveries == 200, reproduceTwo)
    #expect(two.falseDeaths == 0, reproduceTwo)
  }
}

@Suite("Serf queries in the simulator")
struct QueryScenarioTests {
  @Test("a query with acks is acked and answered by every one of 100 members, once each")
  func queryAnsweredByAll() {
    let simulation = Simulation(Simulation.Configuration(nodes: 100, seed: 8))
    let monitor = Monitor(simulation)
    for index in 0..<100 {
      simulation.schedule(.start(index, via: index == 0 ? nil : 0), at: Int64(index) * 1_000_000)
      monitor.started(index)
    }
    simulation.run(until: 60_000_000_000) { monitor.isConverged }
    #expect(monitor.isConverged)
    simulation.schedule(.query(0, name: "who"), at: simulation.now + 1_000_000_000)
    simulation.run(until: simulation.now + 20_000_000_000)
    #expect(monitor.queriesDelivered == 100)
    #expect(monitor.queryAcks == 100)
    #expect(monitor.queryResponses == 100)
    #expect(monitor.queriesFinished == 1)
  }
}
