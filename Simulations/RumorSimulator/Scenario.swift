import RumorCore

/// The experiments `rumor-sim` runs.
public enum Scenario: String, Sendable, CaseIterable {
  /// Every node starts knowing one seed: time until all see all alive.
  case converge
  /// After convergence, kill some nodes: time until the first and until
  /// every live node marks them failed.
  case crash
  /// After convergence, some nodes leave gracefully: time until all see
  /// them left (never failed).
  case leave
  /// After convergence, stall a few nodes for a while (like SIGSTOP):
  /// count healthy members ever suspected and ever declared dead.
  case pause
  /// Random packet loss all along; one node killed half-way: false
  /// positives and detection under loss.
  case loss
  /// After convergence, split the cluster in two, then heal: time until
  /// one view again.
  case partition
  /// After convergence, nodes join and leave continuously for half the
  /// run: false positives, and time to one view once it stops.
  case churn
}

/// Everything a run depends on.
public struct ScenarioOptions: Sendable {
  /// The experiment.
  public var scenario: Scenario
  /// Cluster size.
  public var nodes: Int
  /// The seed.
  public var seed: UInt64
  /// Protocol settings (profile, Lifeguard, adaptive timeouts…).
  public var settings: SWIMSettings
  /// Packet loss probability for the whole network.
  public var loss: Double
  /// Virtual seconds to run after the scenario's event (or in all, for
  /// `converge`).
  public var duration: Double
  /// How many nodes are killed, leave, or are paused (default per scenario).
  public var affected: Int?
  /// How long a pause or partition lasts, in seconds.
  public var faultSeconds: Double
  /// The network's base latency range and jitter (milliseconds).
  public var network: NetworkModel
  /// Count the distinct view sizes each node goes through.
  public var countViewSizes: Bool
  /// How often to sample the informed-fraction curve (seconds).
  public var sampleInterval: Double

  /// Options with the defaults of `rumor-sim`.
  public init(
    scenario: Scenario, nodes: Int, seed: UInt64 = 1, settings: SWIMSettings = SWIMSettings(),
    loss: Double = 0, duration: Double = 60, affected: Int? = nil, faultSeconds: Double = 10,
    network: NetworkModel = NetworkModel(), countViewSizes: Bool = false,
    sampleInterval: Double = 0.25
  ) {
    self.scenario = scenario
    self.nodes = nodes
    self.seed = seed
    self.settings = settings
    self.loss = loss
    self.duration = duration
    self.affected = affected
    self.faultSeconds = faultSeconds
    self.network = network
    self.countViewSizes = countViewSizes
    self.sampleInterval = sampleInterval
  }

  /// How many nodes the scenario's fault touches.
  var affectedCount: Int {
    if let affected { return max(0, min(affected, nodes - 1)) }
    switch scenario {
    case .crash, .leave: return max(1, nodes / 100)
    case .pause: return min(3, max(1, nodes / 10))
    case .loss: return 1
    case .converge, .partition, .churn: return 0
    }
  }
}

/// Runs one scenario and measures it.
public enum ScenarioRunner {
  private static let second: Int64 = 1_000_000_000

  /// Runs `options.scenario` to the end and returns the measurements.
  public static func run(_ options: ScenarioOptions) -> ScenarioResult {
    var network = options.network
    network.loss = options.loss
    let simulation = Simulation(
      Simulation.Configuration(
        nodes: options.nodes + (options.scenario == .churn ? options.nodes : 0),
        seed: options.seed, settings: options.settings, network: network))
    let monitor = Monitor(simulation, countViewSizes: options.countViewSizes)
    var random = SplitMix64(seed: options.seed ^ 0x5EED)
    var result = ScenarioResult(options: options)
    var nextSample: Int64 = 0
    let sampleStep = max(Int64(1_000_000), Int64(options.sampleInterval * 1e9))

    /// Runs to `end`, sampling the curve on the way.
    func advance(to end: Int64, until stop: () -> Bool = { false }) -> Bool {
      while true {
        let leg = min(end, nextSample)
        if simulation.run(until: leg, stop: stop) { return true }
        if leg >= end { return false }
        monitor.sample(time: leg)
        nextSample += sampleStep
      }
    }

    // Every scenario starts with the same bootstrap: node 0 first, the
    // others within the first 100 ms, each joining through node 0.
    for index in 0..<options.nodes {
      let start = index == 0 ? 0 : Int64(random.below(100)) * 1_000_000
      simulation.schedule(.start(index, via: index == 0 ? nil : 0), at: start)
      monitor.started(index)
    }
    let settle: Int64 = options.scenario == .converge ? Int64(options.duration * 1e9) : 180 * second
    _ = advance(to: settle) { monitor.isConverged }
    result.convergeSeconds = monitor.convergedAt.map { Double($0) / 1e9 }

    let faultStart = simulation.now + second
    let faultEnd = faultStart + Int64(options.faultSeconds * 1e9)
    let end = faultStart + Int64(options.duration * 1e9)
    let victims = pick(options.affectedCount, of: options.nodes, excluding: [0], random: &random)
    func window(_ start: Int64, _ end: Int64?) {
      result.faultStartSeconds = Double(start) / 1e9
      result.faultEndSeconds = end.map { Double($0) / 1e9 }
    }
    switch options.scenario {
    case .converge:
      _ = advance(to: Int64(options.duration * 1e9))
    case .crash:
      if !victims.isEmpty { window(faultStart, nil) }
      for victim in victims {
        simulation.schedule(.kill(victim), at: faultStart)
        monitor.fault(victim, departs: true, time: faultStart)
      }
      _ = advance(to: end)
    case .leave:
      if !victims.isEmpty { window(faultStart, nil) }
      for victim in victims {
        simulation.schedule(.leave(victim, stopAfter: .seconds(3)), at: faultStart)
        monitor.fault(victim, departs: true, graceful: true, time: faultStart)
      }
      _ = advance(to: end)
    case .pause:
      if !victims.isEmpty { window(faultStart, faultEnd) }
      for victim in victims {
        simulation.schedule(.pause(victim), at: faultStart)
        simulation.schedule(.resume(victim), at: faultEnd)
        monitor.fault(victim, departs: false, time: faultStart)
      }
      _ = advance(to: end)
    case .loss:
      let kill = simulation.now + Int64(options.duration * 1e9) / 2
      if !victims.isEmpty { window(kill, nil) }
      for victim in victims {
        simulation.schedule(.kill(victim), at: kill)
        monitor.fault(victim, departs: true, time: kill)
      }
      _ = advance(to: end)
    case .partition:
      let groups = (0..<options.nodes).map { $0 < options.nodes / 2 ? 0 : 1 }
      window(faultStart, faultEnd)
      simulation.schedule(.partition(groups), at: faultStart)
      simulation.schedule(.heal, at: faultEnd)
      _ = advance(to: faultEnd)
      monitor.resetConvergence()
      let healed = simulation.now
      _ = advance(to: end) { monitor.isConverged }
      result.remergeSeconds = monitor.convergedAt.map { Double($0 - healed) / 1e9 }
      _ = advance(to: end)
    case .churn:
      window(faultStart, faultStart + (end - faultStart) / 2)
      runChurn(
        simulation, monitor, options: options, from: faultStart, until: end, random: &random,
        advance: advance)
      let quiet = simulation.now
      monitor.resetConvergence()
      let settled = advance(to: quiet + 120 * second) { monitor.isConverged }
      result.remergeSeconds = settled ? monitor.convergedAt.map { Double($0 - quiet) / 1e9 } : nil
    }
    result.record(simulation: simulation, monitor: monitor)
    return result
  }

  /// Half the run: every two seconds one node leaves (or, every other
  /// time, crashes) and a fresh node joins through a random running one.
  private static func runChurn(
    _ simulation: Simulation, _ monitor: Monitor, options: ScenarioOptions, from start: Int64,
    until end: Int64, random: inout SplitMix64, advance: (Int64, () -> Bool) -> Bool
  ) {
    var running = Array(0..<options.nodes)
    var spare = options.nodes
    var time = start
    var step = 0
    let churnEnd = start + (end - start) / 2
    while time < churnEnd && spare < simulation.configuration.nodes {
      let leaverPosition = 1 + random.below(max(1, running.count - 1))
      let leaver = running.remove(at: min(leaverPosition, running.count - 1))
      if step % 2 == 0 {
        simulation.schedule(.leave(leaver, stopAfter: .seconds(3)), at: time)
        monitor.fault(leaver, departs: true, graceful: true, time: time)
      } else {
        simulation.schedule(.kill(leaver), at: time)
        monitor.fault(leaver, departs: true, time: time)
      }
      let via = running[random.below(running.count)]
      simulation.schedule(.start(spare, via: via), at: time)
      monitor.started(spare)
      running.append(spare)
      spare += 1
      step += 1
      time += 2 * second
      _ = advance(time, { false })
    }
    _ = advance(end, { false })
  }

  /// `count` distinct random indices below `total`, not in `excluded`.
  static func pick(
    _ count: Int, of total: Int, excluding excluded: Set<Int>, random: inout SplitMix64
  )
    -> [Int]
  {
    var pool = (0..<total).filter { !excluded.contains($0) }
    var chosen: [Int] = []
    while chosen.count < count && !pool.isEmpty {
      chosen.append(pool.remove(at: random.below(pool.count)))
    }
    return chosen.sorted()
  }
}
