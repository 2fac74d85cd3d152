import RumorCore
import RumorWire
import Testing

@testable import RumorSimulator

@Suite("Network coordinates converge in the simulator")
struct CoordinateConvergenceTests {
  /// Runs `nodes` Serf nodes on a network whose every link has one-way
  /// latency `oneWay` ms (and `jitter` ms of mean jitter) for `seconds`;
  /// returns every pair's estimated round trip in ms.
  func estimates(nodes: Int, oneWay: Double, jitter: Double, seconds: Int64, seed: UInt64)
    -> [Double]
  {
    var configuration = Simulation.Configuration(
      nodes: nodes, seed: seed,
      network: NetworkModel(baseLatency: oneWay...oneWay, jitter: jitter))
    configuration.checksInvariants = true
    let simulation = Simulation(configuration)
    simulation.schedule(.start(0, via: nil), at: 0)
    for index in 1..<nodes { simulation.schedule(.start(index, via: 0), at: 10_000_000) }
    simulation.run(until: seconds * 1_000_000_000)
    #expect(simulation.invariantViolations.isEmpty, "\(simulation.invariantViolations)")
    var estimates: [Double] = []
    for first in 0..<nodes {
      for second in 0..<nodes where second > first {
        guard let one = simulation.cluster(first)?.coordinate,
          let two = simulation.cluster(second)?.coordinate,
          let rtt = one.estimatedRoundTrip(to: two)
        else { continue }
        let (whole, attoseconds) = rtt.components
        estimates.append(Double(whole) * 1000 + Double(attoseconds) / 1e15)
      }
    }
    return estimates
  }

  @Test("on a 10 ms round-trip network every pair's estimate is within 20% after two minutes")
  func uniformNetwork() {
    let pairs = estimates(nodes: 16, oneWay: 5, jitter: 0.1, seconds: 120, seed: 5)
    #expect(pairs.count == 16 * 15 / 2)
    // The true round trip: two base latencies plus two mean jitters.
    let truth = 10.2
    let errors = pairs.map { abs($0 - truth) / truth }.sorted()
    let median = errors[errors.count / 2]
    #expect(median < 0.1, "median relative error \(median); estimates \(pairs.sorted())")
    #expect(errors.last.map { $0 < 0.2 } == true, "worst \(errors.last ?? -1)")
  }

  @Test("the same seed gives the same coordinates")
  func deterministic() {
    let one = estimates(nodes: 6, oneWay: 2, jitter: 0.2, seconds: 20, seed: 9)
    let two = estimates(nodes: 6, oneWay: 2, jitter: 0.2, seconds: 20, seed: 9)
    #expect(one == two)
    #expect(!one.isEmpty)
  }
}
