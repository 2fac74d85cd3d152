import RumorCore
import RumorWire

/// What one scenario run measured.
public struct ScenarioResult: Sendable {
  /// The options of the run.
  public var options: ScenarioOptions
  /// Seconds until every node saw every node alive (nil if never).
  public var convergeSeconds: Double?
  /// Median over departures of the time to the first notice.
  public var detectFirstSeconds: Double?
  /// Time until every live node noticed every departure (nil if some
  /// never did).
  public var detectAllSeconds: Double?
  /// Each departure's first and complete notice, seconds (nil: never).
  public var departures: [(first: Double?, all: Double?)] = []
  /// After a partition heals or churn stops: seconds to one view again.
  public var remergeSeconds: Double?
  /// When the scenario's fault began (seconds of virtual time); nil for
  /// scenarios without one.
  public var faultStartSeconds: Double?
  /// When a lasting fault (pause, partition, churn) ended.
  public var faultEndSeconds: Double?
  /// Suspicion events about healthy members.
  public var falseSuspicions = 0
  /// Failure events about healthy members.
  public var falseDeaths = 0
  /// Failure events about healthy members raised by healthy members.
  public var falseDeathsAtHealthy = 0
  /// Distinct healthy members ever suspected.
  public var healthySuspected = 0
  /// Distinct healthy members ever declared dead.
  public var healthyDeclaredDead = 0
  /// Failure events about faulty members that were not dead (paused,
  /// lossy).
  public var faultyButAliveDeclaredDead = 0
  /// Observers that saw a leaving member as failed.
  public var leaversSeenFailed = 0
  /// Datagrams per node per second.
  public var messagesPerNodePerSecond = 0.0
  /// Bytes per node per second.
  public var bytesPerNodePerSecond = 0.0
  /// The largest datagram sent.
  public var maximumPacketBytes = 0
  /// Virtual seconds simulated.
  public var simulatedSeconds = 0.0
  /// Wall-clock seconds the run took (filled in by the caller).
  public var wallSeconds: Double?
  /// Peak resident memory in MB (filled in by the caller).
  public var peakMemoryMegabytes: Double?
  /// Mean and largest number of distinct alive-view sizes per node.
  public var distinctViewSizes: (mean: Double, maximum: Int)?
  /// The informed-fraction curve.
  public var informedCurve: [Monitor.Sample] = []
  /// Every detection delay, sorted (the CDF).
  public var detectionDelays: [Double] = []
  /// Datagrams sent by each node running at the end.
  public var packetsPerNode: [Int] = []

  init(options: ScenarioOptions) {
    self.options = options
  }

  mutating func record(simulation: Simulation, monitor: Monitor) {
    let (first, all) = monitor.detectionTimes()
    departures = zip(first, all).map { ($0, $1) }
    let firsts = first.compactMap { $0 }.sorted()
    detectFirstSeconds = firsts.isEmpty ? nil : firsts[firsts.count / 2]
    if !all.isEmpty && all.allSatisfy({ $0 != nil }) {
      detectAllSeconds = all.compactMap { $0 }.max()
    }
    falseSuspicions = monitor.falseSuspicions
    falseDeaths = monitor.falseDeaths
    falseDeathsAtHealthy = monitor.falseDeathsAtHealthy
    healthySuspected = monitor.healthySuspected.count
    healthyDeclaredDead = monitor.healthyDeclaredDead.count
    faultyButAliveDeclaredDead = monitor.faultyButAliveDeclaredDead
    leaversSeenFailed = monitor.leaversSeenFailed
    simulatedSeconds = Double(simulation.now) / 1e9
    let nodeSeconds = Double(options.nodes) * max(simulatedSeconds, 1e-9)
    messagesPerNodePerSecond = Double(simulation.packetsSent) / nodeSeconds
    bytesPerNodePerSecond = Double(simulation.bytesSent) / nodeSeconds
    maximumPacketBytes = simulation.largestPacket
    distinctViewSizes = monitor.distinctViewSizes
    informedCurve = monitor.samples
    detectionDelays = monitor.allDetectionDelays()
    packetsPerNode = (0..<simulation.configuration.nodes).compactMap {
      simulation.node($0)?.counters.packetsSent
    }
  }

  /// The run as one JSON object: the fields the issue names (null where a
  /// figure does not apply) and a few more.
  public func json(includeTiming: Bool = true) -> JSONValue {
    func number(_ value: Double?) -> JSONValue {
      value.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
    }
    var fields: [(key: String, value: JSONValue)] = [
      ("nodes", .count(options.nodes)),
      ("scenario", .string(options.scenario.rawValue)),
      ("seed", .unsigned(options.seed)),
      ("profile", .string(options.settings.profile.rawValue)),
      ("lifeguard", .bool(options.settings.lifeguard)),
      ("adaptive_probe_timeout", .bool(options.settings.adaptiveProbeTimeout)),
      ("loss", .number(options.loss)),
      ("converge_s", number(convergeSeconds)),
      ("detect_first_s", number(detectFirstSeconds)),
      ("detect_all_s", number(detectAllSeconds)),
      ("remerge_s", number(remergeSeconds)),
      ("false_suspicions", .count(falseSuspicions)),
      ("false_deaths", .count(falseDeaths)),
      ("false_deaths_at_healthy", .count(falseDeathsAtHealthy)),
      ("healthy_suspected", .count(healthySuspected)),
      ("healthy_declared_dead", .count(healthyDeclaredDead)),
      ("faulty_alive_declared_dead", .count(faultyButAliveDeclaredDead)),
      ("leavers_seen_failed", .count(leaversSeenFailed)),
      ("msgs_per_node_per_s", number(messagesPerNodePerSecond)),
      ("bytes_per_node_per_s", number(bytesPerNodePerSecond)),
      ("max_packet_bytes", .count(maximumPacketBytes)),
      ("sim_s", number(simulatedSeconds)),
    ]
    if let sizes = distinctViewSizes {
      fields.append(("distinct_view_sizes_mean", number(sizes.mean)))
      fields.append(("distinct_view_sizes_max", .count(sizes.maximum)))
    }
    if includeTiming {
      fields.append(("wall_s", number(wallSeconds)))
      fields.append(("peak_rss_mb", number(peakMemoryMegabytes)))
    }
    return .object(fields)
  }
}
