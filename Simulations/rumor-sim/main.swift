import CommandLineSupport
import Foundation
import RumorCore
import RumorSimulator
import RumorWire

/// `rumor-sim`: runs one scenario of the deterministic simulator.
enum SimulatorCommand {
  static let help = """
    Usage: rumor-sim --nodes N --scenario S [--seed K] [--profile lan|wan|local] [--loss P]
                     [--duration SECONDS] [--json] [--report FILE] [options]

    Runs N real Rumor nodes (SWIM and Serf's layer, and the real codec) on a
    simulated network with a virtual clock. The same seed gives the same
    run, byte for byte, apart from the wall-clock and memory figures.

    Scenarios:
      converge    every node starts knowing one seed; time until all see all alive
      crash       after convergence kill some nodes; time to first and full detection
      leave       after convergence some nodes leave; time until all see them left
      pause       stall a few nodes (SIGSTOP-like); healthy members suspected or declared dead
      loss        random loss all along, one node killed half-way; false positives, detection
      partition   split in two, heal; time to one view again
      churn       nodes join and leave for half the run; false positives, time to settle
      stall       Lifeguard's Interval experiment: --affected members stall together for
                  the fault time, run for the interval, again while --duration lasts
                  (then until every suspicion has run out); FP, FP- and suspicions
      gray        Rapid's gray failures: 1% lose 80% of packets, 1% flip-flop (20 s
                  unreachable, 20 s reachable); healthy declared dead, re-admissions
                  (TCP fallback pings off: the simulator's streams know no loss)
      event       --fault-seconds after convergence (default 10), --affected members
                  (default 1) each send a Serf user event; time until every member
                  delivered every event, once each

    Options:
      --nodes N             cluster size (required)
      --scenario S          one of the scenarios above (required)
      --seed K              random seed (default 1)
      --profile P           lan (default), wan or local: memberlist's settings
      --loss P              packet loss probability, 0 to 0.99 (default 0)
      --duration SECONDS    virtual seconds after the fault; for converge, the whole run (default 60)
      --affected K          nodes killed, leaving, paused or stalled (default: 1% for crash/leave,
                            3 for pause, 1 for stall); for gray, the size of each faulty group (1%)
      --fault-seconds S     how long a pause, stall or partition lasts (default 10)
      --fault-after S       the fault starts no sooner than S simulated seconds into
                        the run (default 0: one second after convergence), so
                        that presets that converge at different times meet it
                        at the same moment, in a settled cluster
      --interval-seconds S  for stall, the normal running time between stalls (default: the
                            fault time)
      --stall-mode M        for stall: pause (frozen process, packets wait in its socket
                            buffer; default) or isolate (keeps running, every packet and
                            stream to or from it dropped: Lifeguard's blocked member)
      --latency MIN-MAX     base one-way latency range in ms (default 0.1-1)
      --jitter MS           mean extra latency per packet in ms (default 0.2)
      --no-lifeguard        plain SWIM: no local health, fixed suspicion timeout, no nacks
                            (with the memberlist preset only: the policies need Lifeguard)
      --preset P            memberlist (default: memberlist's behaviour exactly, as every
                            table in docs/simulation.md before "Presets") or rumor
                            (Rumor's policies, the agent's default); the options below
                            override the preset's value of each policy
      --fast-crash-detection[=false]  a refused TCP fallback ping (the process is gone;
                            the simulator refuses streams to killed members) means dead
      --guarded-accusations[=false]  an unconfirmed suspicion is re-probed, not declared
                            dead, when its timeout runs out; dead only if a helper's nack
                            backs it; a suspicion raised elsewhere is checked by about
                            α − 2 members' next probes
      --flap-quarantine S   keep a member that fails again soon after a failure out for S
                            seconds, doubling each time up to 32 × S, then let it back only
                            once it has answered pings for S more (0: off)
      --stand-down S        a node whose local health has been at its worst for S seconds
                            stops accusing and refuting, so the cluster removes it, until
                            its health is perfect again (0: off; needs Lifeguard)
      --join-follow-up-syncs N  full-state exchanges after a join, 0 to 16 (tables before
                            "Presets" ran with 3, the default then)
      --early-first-push-pull[=false]  the first periodic push-pull at a random moment of
                            the first interval, not after that and a whole scaled interval
                            as memberlist (tables before "The first push-pull" ran with it
                            in every preset)
      --quiet-merges[=false]  members a full-state exchange brings are not gossiped on,
                            but a joiner's and those of a join reply of up to 64 (tables
                            before "Quiet merges" ran with it in every preset)
      --direct-announcements[=false]  joins and leaves announced at once and straight to
                            the members (tables before "Quiet merges" ran with it in
                            every preset)
      --late-nacks[=false]  a helper's nack that comes after its failed probe was
                            judged takes back the health point its absence cost (all
                            but one per probe; needs Lifeguard)
      --suspicion-multiplier A  α of the suspicion timeout, 1 to 64 (default: the profile's)
      --no-tcp-pings        no TCP fallback ping in indirect probing (memberlist's
                            DisableTcpPings)
      --no-stream-loss      streams know no loss: a stream between connected nodes
                            always gets through, so with TCP fallback pings on,
                            packet loss alone never fails a probe (how the runs in
                            docs/simulation.md before the namespace lab were made).
                            By default streams meet the loss: each lost packet of a
                            stream waits for TCP's retransmission (1 s for SYNs,
                            200 ms for data, doubling), as on a real network
      --stream-loss         the default (accepted for older command lines)
      --check-invariants    check every node's table after each of its inputs (the
                            name index, the state counts, incarnations never going
                            back); the run fails on a violation (slower: a pass
                            over the table per input)
      --no-serf             plain memberlist nodes: no Serf layer (no join and leave
                            intents, no reconnect to failed members; how runs
                            were made before Serf was simulated)
      --serf-reconnect      failed members are tried again only as Serf does (one
                            every 30 s), without the eager reconnect right after a
                            failure (every 5 s, backing off to 30 s over 3 minutes)
      --no-flip-flop        for gray: the lossy members only, no flip-flopping group
                            (the namespace lab's gray scenario)
      --converged-start     start every node at once as a cluster that has converged
                            already, instead of each joining through node 0: each
                            node gets one push-pull (anti-entropy, not a join)
                            carrying every node's SWIM and Serf state, through the
                            core's real stream input. For what follows the join
                            (event) at sizes where the join is most of the run
      --view-sizes          count the distinct view sizes each node goes through
      --threads N           handle the nodes' inputs on N threads (default 1); the
                            results are the same, event for event. Pays from a
                            few thousand nodes (docs/simulation.md, "Two threads")
      --progress            print how far the run got once per simulated second
                            (wall and CPU seconds, peak memory) on stderr
      --json                print one JSON object instead of a summary
      --report FILE         write an SVG report (informed fraction, detection CDF, load)
    """

  static func run(_ arguments: [String], console: Console) throws(CommandError) {
    let command = "rumor-sim"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        "nodes", "scenario", "seed", "profile", "loss", "duration", "affected", "fault-seconds",
        "fault-after",
        "latency", "jitter", "report", "interval-seconds", "stall-mode", "suspicion-multiplier",
        "flap-quarantine", "stand-down", "join-follow-up-syncs", "preset", "threads",
      ].map { ArgumentList.Option(name: $0, takesValue: true) }
        + [
          ArgumentList.Option.toggle("fast-crash-detection"), .toggle("guarded-accusations"),
          .toggle("early-first-push-pull"), .toggle("quiet-merges"),
          .toggle("direct-announcements"), .toggle("late-nacks"),
        ]
        + [
          "no-lifeguard", "no-tcp-pings", "no-serf", "view-sizes", "progress", "json",
          "stream-loss", "no-stream-loss", "check-invariants", "serf-reconnect",
          "converged-start", "no-flip-flop",
        ].map {
          ArgumentList.Option(name: $0, takesValue: false)
        })
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    func number<T: LosslessStringConvertible>(_ name: String, _ type: T.Type, default fallback: T?)
      throws(CommandError) -> T?
    {
      guard let text = try parsed.value(name) else { return fallback }
      guard let value = T(text) else {
        throw .usage("--\(name) '\(text)' is not a valid number", command: command)
      }
      return value
    }
    guard let nodes = try number("nodes", Int.self, default: nil) else {
      throw .usage("--nodes is required", command: command)
    }
    guard (1...100_000).contains(nodes) else {
      throw .usage("--nodes must be 1 to 100000 (is \(nodes))", command: command)
    }
    guard let scenarioName = try parsed.value("scenario") else {
      throw .usage("--scenario is required", command: command)
    }
    guard let scenario = Scenario(rawValue: scenarioName) else {
      let names = Scenario.allCases.map(\.rawValue).joined(separator: ", ")
      throw .usage("unknown scenario '\(scenarioName)' (one of \(names))", command: command)
    }
    let profileName = try parsed.value("profile") ?? "lan"
    guard let profile = Profile(rawValue: profileName) else {
      throw .usage("unknown profile '\(profileName)' (lan, wan or local)", command: command)
    }
    let loss = try number("loss", Double.self, default: 0) ?? 0
    guard (0...0.99).contains(loss) else {
      throw .usage("--loss must be between 0 and 0.99 (is \(loss))", command: command)
    }
    let duration = try number("duration", Double.self, default: 60) ?? 60
    guard duration > 0 && duration <= 86_400 else {
      throw .usage("--duration must be above 0 and at most 86400 seconds", command: command)
    }
    let faultSeconds = try number("fault-seconds", Double.self, default: 10) ?? 10
    guard faultSeconds > 0 && faultSeconds <= 86_400 else {
      throw .usage("--fault-seconds must be above 0 and at most 86400", command: command)
    }
    let faultAfter = try number("fault-after", Double.self, default: 0) ?? 0
    guard faultAfter >= 0 && faultAfter <= 86_400 else {
      throw .usage("--fault-after must be 0 to 86400 seconds (is \(faultAfter))", command: command)
    }
    let interval = try number("interval-seconds", Double.self, default: nil)
    if let interval, !(interval > 0 && interval <= 86_400) {
      throw .usage("--interval-seconds must be above 0 and at most 86400", command: command)
    }
    let stallModeName = try parsed.value("stall-mode") ?? StallMode.pause.rawValue
    guard let stallMode = StallMode(rawValue: stallModeName) else {
      throw .usage("unknown stall mode '\(stallModeName)' (pause or isolate)", command: command)
    }
    let affected = try number("affected", Int.self, default: nil)
    if let affected, affected < 0 || affected >= nodes {
      throw .usage("--affected must be 0 to nodes - 1", command: command)
    }
    var network = NetworkModel()
    if let latency = try parsed.value("latency") {
      let parts = latency.split(separator: "-").compactMap { Double($0) }
      guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1], parts[1] <= 10_000 else {
        throw .usage("--latency wants MIN-MAX in milliseconds, like 0.1-1", command: command)
      }
      network.baseLatency = parts[0]...parts[1]
    }
    let jitter = try number("jitter", Double.self, default: network.jitter) ?? network.jitter
    guard jitter >= 0 && jitter <= 10_000 else {
      throw .usage("--jitter must be 0 to 10000 ms", command: command)
    }
    network.jitter = jitter
    if parsed.flag("stream-loss") && parsed.flag("no-stream-loss") {
      throw .usage("--stream-loss and --no-stream-loss contradict each other", command: command)
    }
    network.streamLoss = !parsed.flag("no-stream-loss")
    let presetName = try parsed.value("preset") ?? Preset.memberlist.rawValue
    guard let preset = Preset(rawValue: presetName) else {
      throw .usage("unknown preset '\(presetName)' (memberlist or rumor)", command: command)
    }
    var settings = SWIMSettings(profile: profile, preset: preset)
    settings.lifeguard = !parsed.flag("no-lifeguard")
    if let on = parsed.toggle("guarded-accusations") { settings.policies.guardedAccusations = on }
    if let on = parsed.toggle("fast-crash-detection") { settings.policies.fastCrashDetection = on }
    if let on = parsed.toggle("early-first-push-pull") { settings.policies.earlyFirstPushPull = on }
    if let on = parsed.toggle("quiet-merges") { settings.policies.quietMerges = on }
    if let on = parsed.toggle("direct-announcements") {
      settings.policies.directAnnouncements = on
    }
    if let on = parsed.toggle("late-nacks") { settings.policies.lateNacks = on }
    if let syncs = try number("join-follow-up-syncs", Int.self, default: nil) {
      settings.policies.joinFollowUpSyncs = syncs
    }
    settings.disableTCPPings = parsed.flag("no-tcp-pings")
    if let multiplier = try number("suspicion-multiplier", Int.self, default: nil) {
      guard (1...64).contains(multiplier) else {
        throw .usage("--suspicion-multiplier must be 1 to 64 (is \(multiplier))", command: command)
      }
      settings.suspicionMultiplier = multiplier
    }
    /// A flag in seconds, 0 (off) to a day, as a duration.
    func seconds(_ option: String) throws(CommandError) -> Duration? {
      guard let value = try number(option, Double.self, default: nil) else { return nil }
      guard value >= 0 && value <= 86_400 else {
        throw .usage("--\(option) must be 0 to 86400 seconds (is \(value))", command: command)
      }
      return .milliseconds(Int64((value * 1000).rounded()))
    }
    if let quarantine = try seconds("flap-quarantine") {
      settings.policies.flapQuarantine = quarantine
    }
    if let standDown = try seconds("stand-down") { settings.policies.standDown = standDown }
    do {
      try settings.validate()
    } catch {
      throw .usage("\(error)", command: command)
    }
    let seed = try number("seed", UInt64.self, default: 1) ?? 1
    let threads = try number("threads", Int.self, default: 1) ?? 1
    guard (1...64).contains(threads) else {
      throw .usage("--threads must be 1 to 64 (is \(threads))", command: command)
    }
    var options = ScenarioOptions(
      scenario: scenario, nodes: nodes, seed: seed, settings: settings, loss: loss,
      duration: duration, affected: affected, faultSeconds: faultSeconds, network: network,
      countViewSizes: parsed.flag("view-sizes"), intervalSeconds: interval, stallMode: stallMode)
    options.serf = !parsed.flag("no-serf")
    options.serfReconnectOnly = parsed.flag("serf-reconnect")
    options.checksInvariants = parsed.flag("check-invariants")
    options.convergedStart = parsed.flag("converged-start")
    options.grayFlipFlop = !parsed.flag("no-flip-flop")
    options.faultAfter = faultAfter
    options.threads = threads
    if parsed.flag("progress") {
      let started = ContinuousClock.now
      options.progress = { seconds in
        // Once per simulated second, on stderr: how far a long run got.
        guard seconds.rounded(.down) == seconds else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        let wall = (ContinuousClock.now - started).components.seconds
        FileHandle.standardError.write(
          Data(
            ("rumor-sim: \(Int(seconds)) s simulated, \(wall) s wall, \(Int(cpu)) s CPU, "
              + "peak \(usage.ru_maxrss / 1024) MB\n").utf8))
      }
    }
    let clock = ContinuousClock()
    let started = clock.now
    var result = ScenarioRunner.run(options)
    let elapsed = clock.now - started
    result.wallSeconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    result.peakMemoryMegabytes = PeakMemory.highWaterMarkMegabytes()
    if let path = try parsed.value("report") {
      do {
        try SVGReport(result).render().write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        throw .failure("cannot write the report to \(path): \(error.localizedDescription)")
      }
    }
    if parsed.flag("json") {
      console.out(result.json().text)
    } else {
      console.out(Summary.text(result))
    }
    if !result.invariantViolations.isEmpty {
      throw .failure(
        "\(result.invariantViolations.count) invariant violation(s), the first: "
          + result.invariantViolations.prefix(5).joined(separator: "; "))
    }
  }
}

AllocatorSettings.apply()
let status: Int32
do {
  try SimulatorCommand.run(
    Array(CommandLine.arguments.dropFirst()),
    console: Console(
      out: { print($0) }, err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
  status = 0
} catch {
  FileHandle.standardError.write(Data(("rumor-sim: \(error.message)\n").utf8))
  status = error.status
}
exit(status)
