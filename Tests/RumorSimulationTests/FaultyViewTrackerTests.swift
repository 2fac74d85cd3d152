import RumorCore
import Testing

@testable import RumorSimulator

@Suite("What the healthy members think of the faulty ones")
struct FaultyViewTrackerTests {
  /// Four members started converged, n3 tracked as lossy; three healthy
  /// observers list it alive from the start. n0 suspects it for 2 s from
  /// 1 s, n1 declares it failed at 2 s, n2 never changes its mind: over
  /// 4 s that is 2 + 2 + 4 of 12 pair-seconds listed alive.
  @Test func listedAliveShareCountsOnlyAliveIntervals() throws {
    let (simulation, _) = startedConverged(nodes: 4, seed: 1)
    let start = simulation.now
    var tracker = FaultyViewTracker(
      groups: [(name: "lossy", members: [3])], simulation: simulation, at: start)
    let member = try #require(simulation.node(0)?.member(named: Simulation.name(3)))
    let second: Int64 = 1_000_000_000
    tracker.record(.suspected(member), subject: 3, at: 0, time: start + second)
    tracker.record(.failed(member), subject: 3, at: 1, time: start + 2 * second)
    tracker.record(.recovered(member), subject: 3, at: 0, time: start + 3 * second)
    let lossy = try #require(tracker.groups.first)
    let share = try #require(tracker.listedAliveShare(of: lossy, until: start + 4 * second))
    #expect(abs(share - 8.0 / 12.0) < 1e-9, "\(share)")
    #expect(tracker.listedAliveShare(of: lossy, until: start) == nil)
  }
}
