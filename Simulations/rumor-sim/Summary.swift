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
        + (options.loss > 0 ? ", loss \(options.loss)" : ""),
      "  converged after            \(seconds(result.convergeSeconds))",
    ]
    if !result.departures.isEmpty {
      lines.append("  first detection (median)   \(seconds(result.detectFirstSeconds))")
      lines.append("  detected by all            \(seconds(result.detectAllSeconds))")
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
    if result.leaversSeenFailed > 0 {
      lines.append("  leavers seen as failed     \(result.leaversSeenFailed)")
    }
    return lines.joined(separator: "\n")
  }
}
