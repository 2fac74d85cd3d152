import RumorCore
import Testing

@testable import RumorSimulator

/// Runs on more than one thread must be the runs one thread gives, event
/// for event: the same packets, the same random draws, the same figures.
/// A network whose smallest latency is 3 ms puts many inputs in each
/// window even at these small sizes, so the windows really run side by
/// side here.
@Suite("A simulation on two threads")
struct ThreadedSimulationTests {
  static let slowNetwork = NetworkModel(baseLatency: 3...6, jitter: 0.2)

  /// The JSON of `options` run on `threads` threads, and the invariant
  /// violations found on the way.
  static func run(_ options: ScenarioOptions, threads: Int) -> (json: String, problems: [String]) {
    var options = options
    options.threads = threads
    options.checksInvariants = true
    let result = ScenarioRunner.run(options)
    return (result.json(includeTiming: false).text, result.invariantViolations)
  }

  /// The scenarios compared, by name.
  static let scenarios: [String: ScenarioOptions] = [
    "churn": ScenarioOptions(
      scenario: .churn, nodes: 24, seed: 3, duration: 20, network: slowNetwork),
    "partition": ScenarioOptions(
      scenario: .partition, nodes: 30, seed: 4, duration: 20, faultSeconds: 5,
      network: slowNetwork),
    "lossy crash": ScenarioOptions(
      scenario: .crash, nodes: 40, seed: 5, loss: 0.1, duration: 15, network: slowNetwork),
  ]

  @Test(
    "churn, a partition and a lossy crash give the same results on two threads as on one",
    arguments: ["churn", "partition", "lossy crash"])
  func sameResults(name: String) throws {
    let options = try #require(Self.scenarios[name])
    let one = Self.run(options, threads: 1)
    let two = Self.run(options, threads: 2)
    #expect(one.json == two.json, "\(options.scenario) seed \(options.seed)")
    #expect(two.problems.isEmpty, "\(two.problems.prefix(3)); seed \(options.seed)")
  }

  @Test(
    "a run stopped in the middle of a window, then a query, ends the same on two threads as on one"
  )
  func stoppedRunThenQuery() {
    struct Outcome: Equatable {
      var now: Int64
      var packets: Int
      var bytes: Int
      var answered: Int
      var views: [Int]
      var received: [Int]
    }
    var stoppedInWindow = false
    func outcome(threads: Int) -> Outcome {
      var configuration = Simulation.Configuration(
        nodes: 40, seed: 9, network: Self.slowNetwork)
      configuration.threads = threads
      let (simulation, monitor) = joiningThroughNodeZero(configuration)
      simulation.run(until: 60_000_000_000) { monitor.isConverged }
      // Read right where the run stopped: the figures are those of that
      // moment, whatever the window had handled beyond it.
      let views = (0..<40).map { simulation.aliveView($0) }
      let received = (0..<40).map { simulation.figures(of: $0)?.counters.bytesReceived ?? -1 }
      let stopped = simulation.now
      if simulation.pendingWindow != nil { stoppedInWindow = true }
      simulation.schedule(.query(0, name: "who", timeout: .seconds(3)), at: stopped + 500_000_000)
      simulation.run(until: stopped + 10_000_000_000) { monitor.queriesFinished == 1 }
      return Outcome(
        now: stopped, packets: simulation.packetsSent, bytes: simulation.bytesSent,
        answered: monitor.queryResponses, views: views, received: received)
    }
    let one = outcome(threads: 1)
    let two = outcome(threads: 2)
    #expect(one.answered == 40)
    #expect(stoppedInWindow, "the run did not stop inside a window: nothing was tested")
    #expect(one == two)
  }
}

@Suite("A simulation on two threads, with windows longer than a timeout")
struct LongWindowTests {
  /// A network whose smallest latency (600 ms) is longer than what is left
  /// of a failed probe when its TCP fallback ping opens (500 ms): the
  /// stream's timeout falls inside the window of the input that opened
  /// it. Run without sampling legs, so nothing else cuts the windows.
  @Test("a stream timing out inside its window gives the same run on two threads as on one")
  func timeoutInsideWindow() {
    struct Outcome: Equatable {
      var packets: Int
      var bytes: Int
      var streams: Int
      var suspicions: Int
      var deaths: Int
      var views: [Int]
    }
    func outcome(threads: Int) -> Outcome {
      var configuration = Simulation.Configuration(
        nodes: 12, seed: 21, network: NetworkModel(baseLatency: 600...900, jitter: 0.2))
      configuration.threads = threads
      let (simulation, monitor) = joiningThroughNodeZero(configuration)
      simulation.schedule(.kill(5), at: 20_000_000_000)
      monitor.fault(5, departs: true, time: 20_000_000_000)
      simulation.run(until: 60_000_000_000)
      return Outcome(
        packets: simulation.packetsSent, bytes: simulation.bytesSent,
        streams: simulation.streamsOpened, suspicions: monitor.suspicionEvents,
        deaths: monitor.failureEvents, views: (0..<12).map { simulation.aliveView($0) })
    }
    let one = outcome(threads: 1)
    #expect(one.streams > 0, "no stream was opened: nothing was tested")
    #expect(one == outcome(threads: 2))
  }
}
