import RumorSimulator

/// The human-readable summary `rumor-sim` prints without `--json`.
enum Summary {
  static func text(_ result: ScenarioResult) -> String {
    func seconds(_ value: Double?) -> String {
      value.map { String(format: "%.2f s", $0) } ?? "never"
    }
    let options = result.options
    var lines = [
      "\(options.scenario.rawValue): \(options.nodes) nodes, seed \(options.seed), profile \(options.settings.profile.rawValue)"
        + (options.settings.lifeguard ? "" : ", plain SWIM")
        + (options.settings.policies.guardedAccusations ? ", guarded accusations" : "")
        + (options.settings.policies.flapQuarantine > .zero
          ? ", flap quarantine \(options.settings.policies.flapQuarantine)" : "")
        + (options.settings.policies.standDown > .zero
          ? ", stand down after \(options.settings.policies.standDown)" : "")
        + (options.loss > 0 ? ", loss \(options.loss)" : ""),
      "  converged after            \(seconds(result.convergeSeconds))",
    ]
    if !result.departures.isEmpty {
      lines.append("  first detection (median)   \(seconds(result.detectFirstSeconds))")
      lines.append("  detected by all            \(seconds(result.detectAllSeconds))")
    }
    if let split = result.split {
      lines.append("  other side failed (first)  \(seconds(split.firstFailedSeconds))")
      lines.append("  other side failed (all)    \(seconds(split.failedEverywhereSeconds))")
    }
    if options.scenario == .partition || options.scenario == .churn {
      lines.append("  one view again after       \(seconds(result.remergeSeconds))")
    }
    lines += [
      "  false suspicions           \(result.falseSuspicions) (\(result.healthySuspected) healthy members)",
      "  false deaths               \(result.falseDeaths) (\(result.healthyDeclaredDead) healthy members)",
      "  load per node              \(String(format: "%.2f", result.messagesPerNodePerSecond)) packets/s, \(String(format: "%.0f", result.bytesPerNodePerSecond)) bytes/s, largest packet \(result.maximumPacketBytes) bytes",
      "  simulated                  \(seconds(result.simulatedSeconds)) in \(seconds(result.wallSeconds)) wall, peak \(result.peakMemoryMegabytes.map { String(format: "%.0f MB", $0) } ?? "?")",
    ]
    if let suspected = result.suspectFirstSeconds {
      lines.append("  first suspicion (median)   \(seconds(suspected))")
    }
    if let spread = result.disseminateSeconds {
      lines.append("  first notice to all        \(seconds(spread))")
    }
    if options.scenario == .event {
      lines.append(
        "  user events delivered      \(result.eventDeliveries) times, to all after \(seconds(result.eventSeconds)); \(result.eventMembersOnce) members delivered each once"
      )
    }
    if options.scenario == .stall {
      lines.append(
        "  stall cycles               \(result.stallCycles ?? 0), FP \(result.livingDeclaredDead) (\(result.livingDeclaredDeadAtFaulty) raised at stalled members), FP- \(result.falseDeathsAtHealthy), suspicions \(result.suspicionEvents)"
      )
    }
    if let views = result.faultyViews {
      for group in views.groups {
        let removed = group.removedAt.map { seconds(Double($0 - views.start) / 1e9) } ?? "never"
        lines.append(
          "  \(group.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(group.members.count) members: declared dead by healthy \(group.declaredDeadByHealthy), out of all healthy views after \(removed), re-admitted \(group.readmissionsAtHealthy) times at healthy members"
        )
      }
      lines.append(
        "  healthy declared dead      \(result.healthyDeclaredDeadByHealthy) by healthy members, \(result.healthyDeclaredDead) by anyone"
      )
    }
    if let window = result.window {
      lines.append(
        "  steady load (from \(seconds(result.windowStartSeconds)))  \(String(format: "%.2f", window.packetsPerNodePerSecond)) packets/s, \(String(format: "%.0f", window.bytesPerNodePerSecond)) bytes/s per node"
      )
    }
    if result.leaversSeenFailed > 0 {
      lines.append("  leavers seen as failed     \(result.leaversSeenFailed)")
    }
    return lines.joined(separator: "\n")
  }
}
