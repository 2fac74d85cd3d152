import RumorCore
import Testing

@testable import RumorSimulator

/// A simulation of `nodes` members started 1 ms apart, each joining
/// through member 0, run until every one sees all alive (at most 60
/// simulated seconds).
func converged(nodes: Int, seed: UInt64) -> (Simulation, Monitor) {
  let simulation = Simulation(Simulation.Configuration(nodes: nodes, seed: seed))
  let monitor = Monitor(simulation)
  for index in 0..<nodes {
    simulation.schedule(.start(index, via: index == 0 ? nil : 0), at: Int64(index) * 1_000_000)
    monitor.started(index)
  }
  simulation.run(until: 60_000_000_000) { monitor.isConverged }
  return (simulation, monitor)
}

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
    let (simulation, monitor) = converged(nodes: 100, seed: 8)
    #expect(monitor.isConverged)
    simulation.schedule(.query(0, name: "who"), at: simulation.now + 1_000_000_000)
    simulation.run(until: simulation.now + 20_000_000_000)
    #expect(monitor.queriesDelivered == 100)
    #expect(monitor.queryAcks == 100)
    #expect(monitor.queryResponses == 100)
    #expect(monitor.queriesFinished == 1)
  }
}

@Suite("How fresh a node's view is")
struct LastContactTests {
  /// A node in touch with the cluster hears from it every probe period; a
  /// node cut off stops hearing, so the age of every answer it gives from
  /// gossip grows (ServiceRegistry's `Resolution.age`).
  @Test("last contact keeps up while connected and stops when a node is cut off")
  func lastContactStopsInAPartition() {
    let (simulation, monitor) = converged(nodes: 10, seed: 12)
    #expect(monitor.isConverged)
    simulation.run(until: simulation.now + 10_000_000_000)
    for index in 0..<10 {
      let contact = simulation.node(index)?.lastContact?.nanoseconds ?? 0
      // A probe every second (local profile is faster): within 3 s.
      #expect(simulation.now - contact < 3_000_000_000, "node \(index), seed 12")
    }
    let cut = simulation.now
    simulation.schedule(.partition([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), at: cut)
    simulation.run(until: cut + 20_000_000_000)
    let isolated = simulation.node(9)?.lastContact?.nanoseconds ?? .max
    #expect(isolated <= cut, "node 9 heard nobody after the cut; seed 12")
    let connected = simulation.node(0)?.lastContact?.nanoseconds ?? 0
    #expect(simulation.now - connected < 3_000_000_000, "seed 12")
  }
}
