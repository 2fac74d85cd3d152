import RumorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

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
  /// Lifeguard's Interval experiment: after convergence, some members
  /// stall together for the fault time, run normally for the interval,
  /// and again, for the whole run: false positives (failure events about
  /// members that are alive) and those raised by healthy members about
  /// healthy members (FP-).
  case stall
  /// Rapid's gray failures: after convergence 1% of members lose 80% of
  /// their packets both ways for good, and another 1% flip-flop between
  /// unreachable and reachable every 20 s: healthy members declared dead,
  /// and how often the faulty ones come back into views once out.
  case gray
  /// After convergence and the fault time (`faultSeconds`, so that the
  /// join's news has been gossiped), some members each send a Serf user
  /// event: time until every running member delivered every one (once
  /// each).
  case event
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
  /// How long a pause, stall or partition lasts, in seconds.
  public var faultSeconds: Double
  /// The earliest time the fault starts, in seconds from the start of
  /// the run (0: one second after convergence, whenever that is). Presets
  /// that converge at different times then meet the fault at the same
  /// moment, each in a settled cluster.
  public var faultAfter: Double = 0
  /// For `stall`: the normal running time between stalls, in seconds
  /// (nil: as long as a stall).
  public var intervalSeconds: Double?
  /// For `stall`: frozen process or cut-off member.
  public var stallMode: StallMode
  /// The network's base latency range and jitter (milliseconds).
  public var network: NetworkModel
  /// Count the distinct view sizes each node goes through.
  public var countViewSizes: Bool
  /// How often to sample the informed-fraction curve (seconds).
  public var sampleInterval: Double
  /// Whether nodes run Serf's layer over SWIM, as the agent does (join and
  /// leave intents, failed members kept and reconnected to). Off runs
  /// plain memberlist nodes, as every run before Serf was simulated.
  public var serf: Bool = true
  /// Whether Serf's layer reconnects to failed members only as Serf does
  /// (every 30 s), without the eager reconnect right after a failure
  /// (`SerfSettings.eagerReconnectInterval` nil).
  public var serfReconnectOnly = false
  /// For `gray`: whether the flip-flopping group runs beside the lossy
  /// one (Rapid's scenario). Off leaves the lossy members alone, as in
  /// the namespace lab's gray scenario.
  public var grayFlipFlop = true
  /// Whether the run starts from a cluster that has converged already
  /// (`Simulation.Action.startConverged`) instead of every node joining
  /// through node 0: for what comes after the join (a user event, a
  /// query) at sizes where the join is most of the run's cost.
  public var convergedStart = false
  /// Whether every node's invariants are checked after each input
  /// (`Simulation.Configuration.checksInvariants`).
  public var checksInvariants = false
  /// How many threads handle the nodes' inputs
  /// (`Simulation.Configuration.threads`); the results are the same.
  public var threads = 1
  /// Called with the virtual time, in seconds, at every sample (a
  /// progress display for long runs); nil by default.
  public var progress: (@Sendable (Double) -> Void)?

  /// Options with the defaults of `rumor-sim`.
  public init(
    scenario: Scenario, nodes: Int, seed: UInt64 = 1, settings: SWIMSettings = SWIMSettings(),
    loss: Double = 0, duration: Double = 60, affected: Int? = nil, faultSeconds: Double = 10,
    network: NetworkModel = NetworkModel(), countViewSizes: Bool = false,
    sampleInterval: Double = 0.25, intervalSeconds: Double? = nil, stallMode: StallMode = .pause
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
    self.intervalSeconds = intervalSeconds
    self.stallMode = stallMode
  }

  /// The Serf layer's settings for these options.
  var serfSettings: SerfSettings {
    var settings = SerfSettings()
    if serfReconnectOnly { settings.eagerReconnectInterval = nil }
    return settings
  }

  /// How many nodes the scenario's fault touches (for `gray`, in each of
  /// its two groups).
  var affectedCount: Int {
    // Never the seed (node 0); gray needs room for two groups.
    let most = scenario == .gray ? (nodes - 1) / 2 : nodes - 1
    if let affected { return max(0, min(affected, most)) }
    switch scenario {
    case .crash, .leave: return max(1, nodes / 100)
    case .pause: return min(3, max(1, nodes / 10))
    case .loss, .stall, .event: return 1
    case .gray: return min(max(1, nodes / 100), most)
    case .converge, .partition, .churn: return 0
    }
  }
}

/// Runs one scenario and measures it.
public enum ScenarioRunner {
  private static let second: Int64 = 1_000_000_000

  /// How long a gray flip-flopper is unreachable, then reachable (Rapid §7).
  static let flipFlopHalfPeriod: Int64 = 20 * second

  /// Runs `options.scenario` to the end and returns the measurements.
  public static func run(_ options: ScenarioOptions) -> ScenarioResult {
    var options = options
    if options.scenario == .gray && !options.network.streamLoss {
      // Streams without loss would carry memberlist's TCP fallback ping to
      // an 80%-lossy member every time, and it would never be suspected.
      // Through real 80% loss, a TCP ping needs four segments across the
      // bad link within the probe's last half second, and a lost SYN waits
      // a full second: it practically never makes it. With lossy streams
      // (the default) the simulator sees that itself.
      options.settings.disableTCPPings = true
    }
    var network = options.network
    network.loss = options.loss
    var configuration = Simulation.Configuration(
      nodes: options.nodes + (options.scenario == .churn ? options.nodes : 0),
      seed: options.seed, settings: options.settings,
      serf: options.serf ? options.serfSettings : nil, network: network)
    configuration.checksInvariants = options.checksInvariants
    configuration.threads = options.threads
    let simulation = Simulation(configuration)
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
        options.progress?(Double(leg) / 1e9)
        nextSample += sampleStep
      }
    }

    // Every scenario starts with the same bootstrap: node 0 first, the
    // others within the first 100 ms, each joining through node 0; or all
    // at once, converged already.
    if options.convergedStart {
      simulation.schedule(.startConverged(0..<options.nodes), at: 0)
      for index in 0..<options.nodes { monitor.started(index) }
    } else {
      for index in 0..<options.nodes {
        let start = index == 0 ? 0 : Int64(random.below(100)) * 1_000_000
        simulation.schedule(.start(index, via: index == 0 ? nil : 0), at: start)
        monitor.started(index)
      }
    }
    let settle: Int64 = options.scenario == .converge ? Int64(options.duration * 1e9) : 180 * second
    _ = advance(to: settle) { monitor.isConverged }
    result.convergeSeconds = monitor.convergedAt.map { Double($0) / 1e9 }

    let faultStart = max(simulation.now + second, Int64(options.faultAfter * 1e9))
    let faultEnd = faultStart + Int64(options.faultSeconds * 1e9)
    let end = faultStart + Int64(options.duration * 1e9)
    let victims = pick(options.affectedCount, of: options.nodes, excluding: [0], random: &random)
    func window(_ start: Int64, _ end: Int64?) {
      result.faultStartSeconds = Double(start) / 1e9
      result.faultEndSeconds = end.map { Double($0) / 1e9 }
    }
    /// Runs to just before the fault (scheduled already, so that it keeps
    /// its place among simultaneous events) and starts counting traffic.
    func openLoadWindow() {
      _ = advance(to: faultStart - 1)
      monitor.openLoadWindow()
    }
    switch options.scenario {
    case .converge:
      let total = Int64(options.duration * 1e9)
      _ = advance(to: total / 2)
      monitor.openLoadWindow()
      _ = advance(to: total)
    case .crash:
      if !victims.isEmpty { window(faultStart, nil) }
      for victim in victims {
        simulation.schedule(.kill(victim), at: faultStart)
        monitor.fault(victim, departs: true, time: faultStart)
      }
      openLoadWindow()
      _ = advance(to: end)
    case .event:
      // Sent --fault-seconds after the usual fault time, so that what a
      // large join left to gossip does not hold it back.
      let sendTime = faultEnd
      window(sendTime, nil)
      for (number, sender) in victims.enumerated() {
        simulation.schedule(
          .userEvent(sender, name: "event-\(number)", payload: Array("payload".utf8)),
          at: sendTime)
      }
      _ = advance(to: sendTime - 1)
      monitor.openLoadWindow()
      let eventEnd = sendTime + Int64(options.duration * 1e9)
      let everyone = victims.count * options.nodes
      _ = advance(to: eventEnd) {
        monitor.userEventDeliveries.values.reduce(0) { $0 + $1.count } >= everyone
      }
      let deliveries = monitor.userEventDeliveries.values
      result.eventDeliveries = deliveries.reduce(0) { $0 + $1.count }
      if result.eventDeliveries >= everyone, let last = deliveries.map(\.last).max() {
        result.eventSeconds = Double(last - sendTime) / 1e9
      }
      _ = advance(to: eventEnd)
      // Counted at the end of the run, so that a late second delivery shows.
      result.eventMembersOnce = monitor.membersDeliveringOnce(
        Set(victims.indices.map { "event-\($0)" }), of: 0..<options.nodes)
    case .leave:
      if !victims.isEmpty { window(faultStart, nil) }
      for victim in victims {
        simulation.schedule(.leave(victim, stopAfter: .seconds(3)), at: faultStart)
        monitor.fault(victim, departs: true, graceful: true, time: faultStart)
      }
      openLoadWindow()
      _ = advance(to: end)
    case .pause:
      if !victims.isEmpty { window(faultStart, faultEnd) }
      for victim in victims {
        simulation.schedule(.pause(victim), at: faultStart)
        simulation.schedule(.resume(victim), at: faultEnd)
        monitor.fault(victim, departs: false, time: faultStart)
      }
      openLoadWindow()
      _ = advance(to: end)
    case .loss:
      let kill = simulation.now + Int64(options.duration * 1e9) / 2
      if !victims.isEmpty { window(kill, nil) }
      for victim in victims {
        simulation.schedule(.kill(victim), at: kill)
        monitor.fault(victim, departs: true, time: kill)
      }
      openLoadWindow()
      _ = advance(to: end)
    case .stall:
      let lastResume = scheduleStalls(
        simulation, monitor, options: options, victims: victims, from: faultStart, until: end)
      if !victims.isEmpty { window(faultStart, lastResume) }
      result.stallCycles =
        victims.isEmpty ? 0 : stallCycles(options: options, span: end - faultStart)
      openLoadWindow()
      // Run on until every suspicion a stall started has run out, so that
      // the last stalls are counted as fully as the first.
      _ = advance(to: max(end, lastResume + longestSuspicion(options)))
    case .gray:
      let flippers = pick(
        options.grayFlipFlop ? victims.count : 0, of: options.nodes,
        excluding: Set(victims).union([0]), random: &random)
      if !victims.isEmpty { window(faultStart, nil) }
      for victim in victims {
        simulation.schedule(.nodeLoss(victim, ingress: 0.8, egress: 0.8), at: faultStart)
        monitor.fault(victim, departs: false, time: faultStart)
      }
      scheduleFlipFlops(
        simulation, monitor, options: options, flippers: flippers, from: faultStart, until: end)
      openLoadWindow()
      monitor.trackFaultyViews([("lossy", victims), ("flipflop", flippers)])
      _ = advance(to: end)
    case .partition:
      let groups = (0..<options.nodes).map { $0 < options.nodes / 2 ? 0 : 1 }
      window(faultStart, faultEnd)
      simulation.schedule(.partition(groups), at: faultStart)
      monitor.trackSplit(groups, from: faultStart, until: faultEnd)
      simulation.schedule(.heal, at: faultEnd)
      openLoadWindow()
      _ = advance(to: faultEnd)
      monitor.resetConvergence()
      let healed = simulation.now
      _ = advance(to: end) { monitor.isConverged }
      result.remergeSeconds = monitor.convergedAt.map { Double($0 - healed) / 1e9 }
      _ = advance(to: end)
    case .churn:
      window(faultStart, faultStart + (end - faultStart) / 2)
      openLoadWindow()
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

  /// Schedules Lifeguard's Interval cycles: all `victims` stall together
  /// (frozen or cut off, as `options.stallMode` says) for the fault time,
  /// run for the interval, and again while cycles still start before
  /// `end`. Returns when the last stall ends.
  private static func scheduleStalls(
    _ simulation: Simulation, _ monitor: Monitor, options: ScenarioOptions, victims: [Int],
    from start: Int64, until end: Int64
  ) -> Int64 {
    guard !victims.isEmpty else { return start }
    let stall = max(1, Int64(options.faultSeconds * 1e9))
    let interval = max(0, Int64((options.intervalSeconds ?? options.faultSeconds) * 1e9))
    // Isolated members each get a group of their own: cut off from the
    // others that stall with them too.
    var groups = Array(repeating: 0, count: options.nodes)
    for (position, victim) in victims.enumerated() { groups[victim] = position + 1 }
    var cycle = start
    var lastResume = start
    while cycle < end {
      switch options.stallMode {
      case .pause:
        for victim in victims {
          simulation.schedule(.pause(victim), at: cycle)
          simulation.schedule(.resume(victim), at: cycle + stall)
        }
      case .isolate:
        simulation.schedule(.partition(groups), at: cycle)
        simulation.schedule(.heal, at: cycle + stall)
      }
      lastResume = cycle + stall
      cycle += stall + interval
    }
    for victim in victims { monitor.fault(victim, departs: false, time: start) }
    return lastResume
  }

  /// How many stall cycles start within `span` nanoseconds.
  static func stallCycles(options: ScenarioOptions, span: Int64) -> Int {
    let stall = max(1, Int64(options.faultSeconds * 1e9))
    let interval = max(0, Int64((options.intervalSeconds ?? options.faultSeconds) * 1e9))
    guard span > 0 else { return 0 }
    return Int((span - 1) / (stall + interval)) + 1
  }

  /// The longest a suspicion can last in this cluster (Lifeguard's
  /// maximum, β × α × log10 n probe intervals), plus two probe intervals
  /// for the probe that raises it.
  static func longestSuspicion(_ options: ScenarioOptions) -> Int64 {
    let settings = options.settings
    let period = settings.probeInterval.nanosecondsClamped
    let minimum =
      Double(settings.suspicionMultiplier) * max(1, log10(Double(max(1, options.nodes))))
      * Double(period)
    let multiplier = settings.lifeguard ? Double(settings.suspicionMaxTimeoutMultiplier) : 1
    return Int64(minimum * multiplier) + 2 * period
  }

  /// Rapid's flip-flop: `flippers` are unreachable (every packet and
  /// stream to or from them dropped) for 20 s, reachable for 20 s, and so
  /// on until `end`. A partition rather than node loss, because the
  /// simulator's node loss leaves TCP streams through, and a push-pull
  /// would carry news to and from a member that should hear nothing.
  private static func scheduleFlipFlops(
    _ simulation: Simulation, _ monitor: Monitor, options: ScenarioOptions, flippers: [Int],
    from start: Int64, until end: Int64
  ) {
    guard !flippers.isEmpty else { return }
    // Each flipper alone in its own group: cut off from everyone, the
    // other flippers included.
    var groups = Array(repeating: 0, count: options.nodes)
    for (position, flipper) in flippers.enumerated() { groups[flipper] = position + 1 }
    var time = start
    while time < end {
      simulation.schedule(.partition(groups), at: time)
      simulation.schedule(.heal, at: time + flipFlopHalfPeriod)
      time += 2 * flipFlopHalfPeriod
    }
    for flipper in flippers { monitor.fault(flipper, departs: false, time: start) }
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
