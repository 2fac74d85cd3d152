import Foundation
import RumorCore
import RumorWire
import Testing

@testable import RumorSimulator

/// Runs a scenario and, when an expectation fails, says how to reproduce
/// it, with the options the paper scenarios add (the `simulate` helper of
/// ScenarioTests predates them).
func simulatePaper(_ options: ScenarioOptions) -> (
  result: ScenarioResult, reproduce: Comment
) {
  let result = ScenarioRunner.run(options)
  var command =
    "swift run -c release rumor-sim --nodes \(options.nodes) --scenario \(options.scenario.rawValue) --seed \(options.seed) --profile \(options.settings.profile.rawValue) --duration \(options.duration)"
  if options.loss > 0 { command += " --loss \(options.loss)" }
  if !options.settings.lifeguard { command += " --no-lifeguard" }
  if options.settings.policies.guardedAccusations { command += " --guarded-accusations" }
  if options.settings.policies.fastCrashDetection { command += " --fast-crash-detection" }
  if options.settings.policies.flapQuarantine > .zero {
    command += " --flap-quarantine \(options.settings.policies.flapQuarantine.components.seconds)"
  }
  if options.settings.policies.standDown > .zero {
    command += " --stand-down \(options.settings.policies.standDown.components.seconds)"
  }
  if options.settings.disableTCPPings && options.scenario != .gray {
    command += " --no-tcp-pings"
  }
  if options.settings.suspicionMultiplier
    != SWIMSettings(profile: options.settings.profile)
    .suspicionMultiplier
  {
    command += " --suspicion-multiplier \(options.settings.suspicionMultiplier)"
  }
  if let affected = options.affected { command += " --affected \(affected)" }
  command += " --fault-seconds \(options.faultSeconds)"
  if let interval = options.intervalSeconds { command += " --interval-seconds \(interval)" }
  if options.scenario == .stall { command += " --stall-mode \(options.stallMode.rawValue)" }
  if options.faultAfter > 0 { command += " --fault-after \(options.faultAfter)" }
  if !options.grayFlipFlop { command += " --no-flip-flop" }
  return (result, "seed \(options.seed); reproduce with: \(command)")
}

/// The keys of a JSON object, in order.
func keys(of json: JSONValue) -> [String] {
  guard case .object(let fields) = json else { return [] }
  return fields.map(\.key)
}

@Suite("Scenarios that replay the papers' experiments")
struct PaperScenarioTests {
  @Test("a stall run of 20 members with Lifeguard on declares no healthy member dead")
  func stallSparesHealthyMembers() {
    let options = ScenarioOptions(
      scenario: .stall, nodes: 20, seed: 3, duration: 30, affected: 2, faultSeconds: 3,
      intervalSeconds: 2)
    let (result, reproduce) = simulatePaper(options)
    #expect(result.convergeSeconds != nil, reproduce)
    #expect(result.falseDeathsAtHealthy == 0, reproduce)
    #expect(result.healthyDeclaredDeadByHealthy == 0, reproduce)
    // Stalls start every 5 s within the 30 s run.
    #expect(result.stallCycles == 6, reproduce)
  }

  @Test(
    "a member frozen for longer than the suspicion timeout is declared dead, and that counts as FP, not FP-"
  )
  func longStallIsAFalsePositive() {
    // n = 20: the suspicion timeout is 4 × log10(20) ≈ 5.2 s, and many
    // confirmations bring Lifeguard's down to that minimum.
    let options = ScenarioOptions(
      scenario: .stall, nodes: 20, seed: 5, duration: 20, affected: 1, faultSeconds: 15,
      intervalSeconds: 10)
    let (result, reproduce) = simulatePaper(options)
    #expect(result.stallCycles == 1, reproduce)
    #expect(result.livingDeclaredDead >= 19, reproduce)
    #expect(result.faultyButAliveDeclaredDead == result.livingDeclaredDead, reproduce)
    #expect(result.falseDeathsAtHealthy == 0, reproduce)
  }

  @Test("an isolated member keeps its detector running and, unlike a frozen one, suspects others")
  func isolatedMemberSuspectsOthers() {
    func run(_ mode: StallMode) -> (result: ScenarioResult, reproduce: Comment) {
      simulatePaper(
        ScenarioOptions(
          scenario: .stall, nodes: 20, seed: 8, duration: 20, affected: 1, faultSeconds: 4,
          intervalSeconds: 6, stallMode: mode))
    }
    let (frozen, frozenReproduce) = run(.pause)
    let (isolated, isolatedReproduce) = run(.isolate)
    // A frozen member is probed by others (suspicions about it) but
    // probes nobody; a cut-off one also suspects the members it probes.
    #expect(frozen.falseSuspicions == 0, frozenReproduce)
    #expect(isolated.falseSuspicions > 0, isolatedReproduce)
  }

  @Test(
    "gray failures at 100 members: healthy members suspect the lossy member and declare the unreachable one dead"
  )
  func grayFailuresAreDetected() {
    let options = ScenarioOptions(scenario: .gray, nodes: 100, seed: 2, duration: 30)
    let (result, reproduce) = simulatePaper(options)
    let groups = result.faultyViews?.groups ?? []
    #expect(groups.map(\.name) == ["lossy", "flipflop"], reproduce)
    #expect(groups.map(\.members.count) == [1, 1], reproduce)
    // SWIM's first detection is a suspicion; the lossy member refutes most
    // of them (a fifth of its packets get through), so declaring it dead
    // takes tens of seconds more and is left to the experiments.
    #expect(result.suspicionEvents > result.falseSuspicions, reproduce)
    // Unreachable for 20 s, past the 8 s suspicion timeout of 100 members.
    #expect(groups.last?.declaredDeadByHealthy == 1, reproduce)
    #expect(groups.last?.removedAt != nil, reproduce)
    // The faulty groups are disjoint and never the seed.
    let members = groups.flatMap(\.members)
    #expect(Set(members).count == members.count && !members.contains(0), reproduce)
    // With lossy streams (the default) TCP fallback pings stay on: through
    // 80 % loss they rarely arrive in time. Only lossless streams turn them
    // off (see ScenarioRunner).
    #expect(!result.options.settings.disableTCPPings, reproduce)
    var lossless = options
    lossless.network.streamLoss = false
    lossless.duration = 1
    #expect(ScenarioRunner.run(lossless).options.settings.disableTCPPings, reproduce)
  }

  @Test(
    "gray without flip-floppers: only the lossy member is faulty, and each healthy member's first failure of it is timed"
  )
  func grayWithoutFlipFlop() {
    var options = ScenarioOptions(scenario: .gray, nodes: 8, seed: 6, duration: 60)
    options.faultAfter = 40
    options.grayFlipFlop = false
    let (result, reproduce) = simulatePaper(options)
    let groups = result.faultyViews?.groups ?? []
    #expect(groups.map(\.members.count) == [1, 0], reproduce)
    let lossy = groups.first
    // Every healthy member declares it failed at some point; the lab's
    // "full detection" is the last of those first times, never later than
    // the moment it was out of every healthy view at once.
    #expect(lossy?.failedEverywhereAt != nil, reproduce)
    if let everywhere = lossy?.failedEverywhereAt, let removed = lossy?.removedAt {
      #expect(everywhere <= removed, reproduce)
    }
    #expect(
      keys(of: result.json(includeTiming: false)).contains("lossy_failed_everywhere_s"), reproduce)
  }

  @Test(
    "the share of time healthy members list the lossy member alive: above 0, and none once it is out of every view for good"
  )
  func grayListedAliveShare() throws {
    var options = ScenarioOptions(scenario: .gray, nodes: 8, seed: 3, duration: 60)
    options.faultAfter = 40
    options.grayFlipFlop = false
    let (result, reproduce) = simulatePaper(options)
    let views = try #require(result.faultyViews, reproduce)
    let lossy = try #require(views.groups.first, reproduce)
    // This seed: out of every healthy view once and never back.
    #expect(lossy.readmissionsAtHealthy == 0 && lossy.inViewPairs == 0, reproduce)
    let removed = try #require(lossy.removedAt, reproduce)
    let share = try #require(views.listedAliveShare(of: lossy, until: result.simulationEnd))
    // Listed alive some of the time before it was out (between
    // suspicions), never after.
    let bound = Double(removed - views.start) / Double(result.simulationEnd - views.start)
    #expect(share > 0 && share <= bound, "\(share) against \(bound); \(reproduce)")
    #expect(views.listedAliveShare(of: lossy, until: views.start) == nil, reproduce)
    #expect(
      keys(of: result.json(includeTiming: false)).contains("lossy_listed_alive_share"), reproduce)
  }

  @Test("the first suspicion of a crashed member comes no later than its first failure notice")
  func firstSuspicionPrecedesFailure() {
    let options = ScenarioOptions(scenario: .crash, nodes: 30, seed: 4, duration: 30, affected: 2)
    let (result, reproduce) = simulatePaper(options)
    #expect(result.firstSuspicions.count == 2, reproduce)
    for (suspected, departure) in zip(result.firstSuspicions, result.departures) {
      let suspicion = suspected ?? .infinity
      #expect(suspicion > 0 && suspicion <= (departure.first ?? 0), reproduce)
    }
    #expect(result.disseminations.allSatisfy { ($0 ?? -1) >= 0 }, reproduce)
    #expect((result.disseminateSeconds ?? .infinity) < 10, reproduce)
  }

  @Test("the steady-state load window of a converge run covers its second half")
  func convergeLoadWindow() {
    let options = ScenarioOptions(scenario: .converge, nodes: 20, seed: 1, duration: 40)
    let (result, reproduce) = simulatePaper(options)
    #expect(result.windowStartSeconds == 20, reproduce)
    let window = result.window
    #expect(window?.nodes == 20, reproduce)
    // SWIM's probe costs a ping and an ack per member and period; with
    // nothing to gossip, a member sends about two packets a second.
    let rate = window?.packetsPerNodePerSecond ?? 0
    #expect(rate > 1 && rate < 4, "\(rate) packets/s; \(reproduce)")
  }

  @Test("the JSON of the new scenarios carries the new fields after the original ones")
  func jsonFields() {
    let original = [
      "nodes", "scenario", "seed", "profile", "lifeguard", "loss",
      "converge_s", "detect_first_s", "detect_all_s", "remerge_s", "false_suspicions",
      "false_deaths", "false_deaths_at_healthy", "healthy_suspected", "healthy_declared_dead",
      "faulty_alive_declared_dead", "leavers_seen_failed", "msgs_per_node_per_s",
      "bytes_per_node_per_s", "max_packet_bytes", "sim_s",
    ]
    let crash = ScenarioRunner.run(
      ScenarioOptions(scenario: .crash, nodes: 12, seed: 1, duration: 15, affected: 1))
    let crashKeys = keys(of: crash.json(includeTiming: false))
    #expect(Array(crashKeys.prefix(original.count)) == original)
    for key in [
      "suspect_first_s", "suspect_first_mean_s", "suspect_first_each_s", "disseminate_s",
      "fp_events", "fp_events_at_faulty", "healthy_declared_dead_by_healthy",
      "window_msgs_per_node_per_s", "window_bytes_per_node_per_s_p99",
    ] {
      #expect(crashKeys.contains(key), "missing \(key)")
    }
    let stall = ScenarioRunner.run(
      ScenarioOptions(
        scenario: .stall, nodes: 12, seed: 1, duration: 10, affected: 1, faultSeconds: 1))
    #expect(keys(of: stall.json(includeTiming: false)).contains("stall_cycles"))
    let gray = ScenarioRunner.run(
      ScenarioOptions(scenario: .gray, nodes: 12, seed: 1, duration: 10))
    let grayKeys = keys(of: gray.json(includeTiming: false))
    for key in [
      "lossy_readmissions", "flipflop_readmissions", "lossy_removed_s", "faulty_removed_s",
      "view_changes_per_healthy_node", "view_changes_after_removal_per_healthy_node",
    ] {
      #expect(grayKeys.contains(key), "missing \(key)")
    }
  }

  @Test("stall and gray runs with one seed produce identical output")
  func determinism() {
    for options in [
      ScenarioOptions(
        scenario: .stall, nodes: 24, seed: 21, duration: 20, affected: 3, faultSeconds: 2,
        intervalSeconds: 1, stallMode: .isolate),
      ScenarioOptions(scenario: .gray, nodes: 40, seed: 21, duration: 30),
    ] {
      let first = ScenarioRunner.run(options).json(includeTiming: false).text
      let second = ScenarioRunner.run(options).json(includeTiming: false).text
      #expect(first == second, "\(options.scenario.rawValue) seed \(options.seed)")
    }
  }
}
