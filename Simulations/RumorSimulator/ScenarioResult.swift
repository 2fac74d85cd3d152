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
  /// For `event`: seconds from the send until every running member
  /// delivered every event (nil if some never did).
  public var eventSeconds: Double?
  /// For `event`: deliveries counted, all members and events together
  /// (a member delivering one event twice would show here).
  public var eventDeliveries = 0
  /// For `event`: members that delivered every event exactly once.
  public var eventMembersOnce = 0
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
  /// When the run ended (nanoseconds of simulated time).
  public var simulationEnd: Int64 = 0
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
  /// Seconds from each departure to its first suspicion by anyone (SWIM's
  /// first detection; nil: nobody suspected it).
  public var firstSuspicions: [Double?] = []
  /// Median of `firstSuspicions` over departures that were suspected.
  public var suspectFirstSeconds: Double?
  /// Mean of the same (SWIM's analysis gives an expected value).
  public var suspectFirstMeanSeconds: Double?
  /// Seconds from each departure's first notice to its notice by all.
  public var disseminations: [Double?] = []
  /// Median of `disseminations` over departures everyone noticed.
  public var disseminateSeconds: Double?
  /// Suspicion events in total.
  public var suspicionEvents = 0
  /// Failure events in total.
  public var failureEvents = 0
  /// Failure events about members that were not dead (Lifeguard's FP).
  public var livingDeclaredDead = 0
  /// Of those, the ones raised at faulty (stalled, lossy) members.
  public var livingDeclaredDeadAtFaulty = 0
  /// Distinct healthy members ever declared dead by a healthy member.
  public var healthyDeclaredDeadByHealthy = 0
  /// Every node's counters, summed (the JSON shows the quarantine's
  /// and the guard's when those settings are on).
  public var counterTotals = NodeCounters()
  /// Reconnect attempts (joins to failed members) of the members running
  /// at the end (`SerfCounters.reconnectAttempts`), and how many of them
  /// the failed member answered.
  public var reconnectAttempts = 0
  /// See `reconnectAttempts`.
  public var reconnectsAnswered = 0
  /// The invariant violations the run found (`ScenarioOptions.checksInvariants`).
  public var invariantViolations: [String] = []
  /// For `stall`: how many stall cycles ran.
  public var stallCycles: Int?
  /// Traffic from the fault on (for `converge`, over the second half of
  /// the run): the steady-state load.
  public var window: LoadWindow.Figures?
  /// When that window began, seconds of virtual time.
  public var windowStartSeconds: Double?
  /// For `gray`: what the healthy members thought of the faulty ones.
  public var faultyViews: FaultyViewTracker?
  /// For `partition`: how each side came to hold the other failed.
  public var split: SplitTracker?

  init(options: ScenarioOptions) {
    self.options = options
  }

  mutating func record(simulation: Simulation, monitor: Monitor) {
    invariantViolations = simulation.invariantViolations
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
    simulationEnd = simulation.now
    let nodeSeconds = Double(options.nodes) * max(simulatedSeconds, 1e-9)
    messagesPerNodePerSecond = Double(simulation.packetsSent) / nodeSeconds
    bytesPerNodePerSecond = Double(simulation.bytesSent) / nodeSeconds
    maximumPacketBytes = simulation.largestPacket
    distinctViewSizes = monitor.distinctViewSizes
    informedCurve = monitor.samples
    detectionDelays = monitor.allDetectionDelays()
    packetsPerNode = (0..<simulation.configuration.nodes).compactMap {
      simulation.figures(of: $0)?.counters.packetsSent
    }
    for index in 0..<simulation.configuration.nodes {
      guard let figures = simulation.figures(of: index) else { continue }
      counterTotals.add(figures.counters)
      if let serf = figures.serfCounters {
        reconnectAttempts += serf.reconnectAttempts
        reconnectsAnswered += serf.reconnectsAnswered
      }
    }
    firstSuspicions = monitor.firstSuspicionTimes()
    let suspected = firstSuspicions.compactMap { $0 }.sorted()
    suspectFirstSeconds = suspected.isEmpty ? nil : suspected[suspected.count / 2]
    suspectFirstMeanSeconds =
      suspected.isEmpty ? nil : suspected.reduce(0, +) / Double(suspected.count)
    disseminations = monitor.disseminationTimes()
    let spread = disseminations.compactMap { $0 }.sorted()
    disseminateSeconds = spread.isEmpty ? nil : spread[spread.count / 2]
    suspicionEvents = monitor.suspicionEvents
    failureEvents = monitor.failureEvents
    livingDeclaredDead = monitor.failuresAboutLiving
    livingDeclaredDeadAtFaulty = monitor.failuresAboutLivingAtFaulty
    healthyDeclaredDeadByHealthy = monitor.healthyDeclaredDeadByHealthy.count
    window = monitor.loadWindow?.figures(simulation)
    windowStartSeconds = monitor.loadWindow.map { Double($0.start) / 1e9 }
    faultyViews = monitor.faultyViews
    split = monitor.split
  }

  /// The fields added for the comparisons with the papers
  /// (docs/simulation.md), after the original ones so that those keep
  /// their places.
  private func extraFields(_ number: (Double?) -> JSONValue) -> [(key: String, value: JSONValue)] {
    let settings = options.settings
    var fields: [(key: String, value: JSONValue)] = [
      ("affected", .count(options.affectedCount)),
      ("fault_s", number(options.faultSeconds)),
      ("interval_s", number(options.intervalSeconds ?? options.faultSeconds)),
      ("duration_s", number(options.duration)),
      ("tcp_pings", .bool(!settings.disableTCPPings)),
      ("guarded_accusations", .bool(settings.policies.guardedAccusations)),
      ("fast_crash_detection", .bool(settings.policies.fastCrashDetection)),
      (
        "flap_quarantine_s",
        number(Double(settings.policies.flapQuarantine.nanosecondsClamped) / 1e9)
      ),
      ("stand_down_s", number(Double(settings.policies.standDown.nanosecondsClamped) / 1e9)),
      ("join_follow_up_syncs", .count(settings.policies.joinFollowUpSyncs)),
      ("early_first_push_pull", .bool(settings.policies.earlyFirstPushPull)),
      ("quiet_merges", .bool(settings.policies.quietMerges)),
      ("direct_announcements", .bool(settings.policies.directAnnouncements)),
      ("late_nacks", .bool(settings.policies.lateNacks)),
      ("suspicion_multiplier", .count(settings.suspicionMultiplier)),
      ("probe_interval_s", number(Double(settings.probeInterval.nanosecondsClamped) / 1e9)),
      ("suspect_first_s", number(suspectFirstSeconds)),
      ("suspect_first_mean_s", number(suspectFirstMeanSeconds)),
      ("suspect_first_each_s", .array(firstSuspicions.map(number))),
      ("disseminate_s", number(disseminateSeconds)),
      ("disseminate_each_s", .array(disseminations.map(number))),
      ("suspicion_events", .count(suspicionEvents)),
      ("failure_events", .count(failureEvents)),
      ("fp_events", .count(livingDeclaredDead)),
      ("fp_events_at_faulty", .count(livingDeclaredDeadAtFaulty)),
      ("healthy_declared_dead_by_healthy", .count(healthyDeclaredDeadByHealthy)),
      ("window_start_s", number(windowStartSeconds)),
      ("window_msgs_per_node_per_s", number(window?.packetsPerNodePerSecond)),
      ("window_bytes_per_node_per_s", number(window?.bytesPerNodePerSecond)),
      ("window_bytes_per_node_per_s_p99", number(window?.bytesPerSecondP99)),
      ("window_bytes_per_node_per_s_max", number(window?.bytesPerSecondMaximum)),
      ("window_rx_bytes_per_node_per_s", number(window?.receivedBytesPerNodePerSecond)),
      ("window_streams_per_node_per_s", number(window?.streamsPerNodePerSecond)),
    ]
    fields.append(("stream_loss", .bool(options.network.streamLoss)))
    if options.serfReconnectOnly {
      fields.append(("serf_reconnect", .bool(true)))
    }
    if let stallCycles {
      fields.append(("stall_mode", .string(options.stallMode.rawValue)))
      fields.append(("stall_cycles", .count(stallCycles)))
    }
    if let views = faultyViews {
      func since(_ time: Int64?) -> JSONValue {
        number(time.map { Double($0 - views.start) / 1e9 })
      }
      let perNode = Double(max(1, views.healthyObservers))
      for group in views.groups {
        fields += [
          ("\(group.name)_members", .array(group.members.map { .count($0) })),
          ("\(group.name)_readmissions", .count(group.readmissions)),
          ("\(group.name)_readmissions_at_healthy", .count(group.readmissionsAtHealthy)),
          (
            "\(group.name)_most_readmissions_in_one_view",
            .count(group.mostReadmissionsInOneView)
          ),
          ("\(group.name)_declared_dead_by_healthy", .count(group.declaredDeadByHealthy)),
          ("\(group.name)_first_dead_s", since(group.firstDeclaredDeadByHealthy)),
          ("\(group.name)_removed_s", since(group.removedAt)),
          ("\(group.name)_failed_everywhere_s", since(group.failedEverywhereAt)),
          ("\(group.name)_in_healthy_views_end", .count(group.inViewPairs)),
          (
            "\(group.name)_listed_alive_share",
            number(views.listedAliveShare(of: group, until: simulationEnd))
          ),
        ]
      }
      fields += [
        ("faulty_removed_s", since(views.allRemovedAt)),
        ("view_changes_per_healthy_node", number(Double(views.viewChanges) / perNode)),
        (
          "view_changes_after_removal_per_healthy_node",
          views.allRemovedAt == nil
            ? .null : number(Double(views.viewChangesAfterRemoval) / perNode)
        ),
      ]
    }
    if let split {
      fields.append(("split_failed_first_s", number(split.firstFailedSeconds)))
      fields.append(("split_failed_everywhere_s", number(split.failedEverywhereSeconds)))
    }
    if options.faultAfter > 0 { fields.append(("fault_after_s", number(options.faultAfter))) }
    return fields
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
    if options.scenario == .event {
      fields.append(("event_s", number(eventSeconds)))
      fields.append(("event_deliveries", .count(eventDeliveries)))
      fields.append(("event_members_once", .count(eventMembersOnce)))
    }
    if let sizes = distinctViewSizes {
      fields.append(("distinct_view_sizes_mean", number(sizes.mean)))
      fields.append(("distinct_view_sizes_max", .count(sizes.maximum)))
    }
    fields += extraFields(number)
    let totals = counterTotals
    if options.settings.policies.flapQuarantine > .zero {
      fields.append(("quarantines", .count(totals.quarantines)))
      fields.append(("quarantined_alive_ignored", .count(totals.quarantinedAliveIgnored)))
      fields.append(("probation_pings", .count(totals.probationPings)))
      fields.append(("probations_passed", .count(totals.probationsPassed)))
    }
    if options.settings.policies.guardedAccusations {
      fields.append(("accusations_held", .count(totals.accusationsHeld)))
      fields.append(("suspicion_checks", .count(totals.suspicionChecks)))
      fields.append(
        ("accusations_confirmed_by_reprobe", .count(totals.accusationsConfirmedByReprobe)))
      fields.append(("deaths_kept_local", .count(totals.deathsKeptLocal)))
      fields.append(("death_reminders", .count(totals.deathReminders)))
      fields.append(("stale_accusations_corrected", .count(totals.staleAccusationsCorrected)))
      fields.append(
        ("stale_corrections_adding_packets", .count(totals.staleCorrectionsAddingPackets)))
    }
    if options.settings.policies.lateNacks {
      fields.append(("late_nacks_counted", .count(totals.lateNacksCounted)))
    }
    if options.settings.policies.standDown > .zero {
      fields.append(("stand_downs", .count(totals.standDowns)))
      fields.append(("refutations_withheld", .count(totals.refutationsWithheld)))
      fields.append(("accusations_withheld", .count(totals.accusationsWithheld)))
    }
    fields.append(("refutations", .count(totals.refutations)))
    fields.append(("reconnect_attempts", .count(reconnectAttempts)))
    fields.append(("reconnects_answered", .count(reconnectsAnswered)))
    fields.append(("indirect_probes", .count(totals.indirectProbes)))
    if includeTiming {
      fields.append(("wall_s", number(wallSeconds)))
      fields.append(("peak_rss_mb", number(peakMemoryMegabytes)))
    }
    return .object(fields)
  }
}
