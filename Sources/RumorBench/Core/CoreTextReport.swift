import CommandLineSupport

/// The tables printed without `--json`, one section per benchmark.
enum CoreTextReport {
  /// The lines before the first table.
  static func header(_ options: CoreBenchOptions, clockOverhead: Double) -> String {
    let sizes = options.sizes.map(Formatting.grouped).joined(separator: ", ")
    return """
      rumor-bench core: the SWIM core per event at \(sizes) members\
      \(options.quick ? " (--quick: not figures to quote)" : "")
      a CLOCK_MONOTONIC reading pair costs \(Formatting.fixed(clockOverhead, 0)) ns \
      (included in the per-event figures)
      """
  }

  /// Status changes: median / p99 nanoseconds per kind, a row per size
  /// and path.
  static func status(_ results: [StatusChangeResult], cycles: Int) -> String {
    let widths = [8, 13] + StatusChange.allCases.map { _ in 15 }
    var lines = [
      "",
      "Status change: ns per event, median / p99 of \(Formatting.grouped(cycles)) events per kind",
      Formatting.row(
        ["members", "path"] + StatusChange.allCases.map(\.rawValue), widths: widths,
        leftAligned: 2),
    ]
    for result in results {
      let cells = result.timings.map { timing in
        Formatting.fixed(timing.nanoseconds.median, 0) + " / "
          + Formatting.fixed(timing.nanoseconds.p99, 0)
      }
      lines.append(
        Formatting.row(
          [Formatting.grouped(result.members), result.path.rawValue] + cells, widths: widths,
          leftAligned: 2))
    }
    if let packet = results.first(where: { $0.path == .packet }) {
      let sizes = StatusChange.allCases.map { "\($0.rawValue) \(packet.datagramBytes[$0] ?? 0) B" }
      lines.append("datagrams: " + sizes.joined(separator: ", "))
    }
    for path in DeliveryPath.allCases {
      let growth = Targets.growth(results, path: path)
      guard !growth.isEmpty else { continue }
      let ratios = growth.map { "\($0.change.rawValue) \(Formatting.fixed($0.ratio, 2))×" }
      lines.append(
        "median at the largest size / at the smallest (\(path.rawValue)): "
          + ratios.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
  }

  /// Joins: CPU seconds per operation, a row per size and operation.
  static func joins(_ results: [JoinResult], runs: Int) -> String {
    let widths = [8, 52, 9, 19, 9]
    var lines = [
      "",
      "Join: seconds of CPU, median (min–max) of \(runs) run\(runs == 1 ? "" : "s"), and median wall",
      Formatting.row(
        ["members", "operation", "CPU s", "min–max", "wall s"], widths: widths, leftAligned: 2),
    ]
    for result in results {
      let members = Formatting.grouped(result.members)
      let rows: [(String, Runs)] = [
        (
          "(a) join reply (\(Formatting.grouped(result.replyBytes)) B): streamReplied",
          result.pushPull
        ),
        ("    of it, StreamCodec.decode of the reply", result.replyDecode),
        ("(b) \(members) alive messages: receive", result.gossipMessages),
        (
          "(b) the same in \(Formatting.grouped(result.gossipPacketCount)) datagrams: receivePacket",
          result.gossipPackets
        ),
        ("(c) answering a join: handleStream", result.answer),
        ("    of it, about: StreamCodec.encode of the reply", result.answerEncode),
      ]
      for (name, runs) in rows {
        lines.append(
          Formatting.row(
            [
              members, name, Formatting.fixed(runs.cpuMedian, 4),
              Formatting.fixed(runs.cpuMinimum, 4) + "–" + Formatting.fixed(runs.cpuMaximum, 4),
              Formatting.fixed(runs.wallMedian, 4),
            ], widths: widths, leftAligned: 2))
      }
    }
    return lines.joined(separator: "\n")
  }

  /// Ticks: median / p99 nanoseconds by kind and the load per second.
  static func ticks(_ results: [TickResult]) -> String {
    let widths = [8] + TickKind.allCases.map { _ in 26 } + [12]
    var lines = [
      "",
      "tick(now:) at steady state: ns per call, median / p99 (calls), over \(results.first?.virtualSeconds ?? 0) virtual s",
      Formatting.row(
        ["members"] + TickKind.allCases.map(\.rawValue) + ["µs per s"], widths: widths),
    ]
    for result in results {
      let cells = TickKind.allCases.map { kind -> String in
        guard let timing = result.timings.first(where: { $0.kind == kind })?.nanoseconds else {
          return "-"
        }
        return Formatting.fixed(timing.median, 0) + " / " + Formatting.fixed(timing.p99, 0) + " ("
          + Formatting.grouped(timing.count) + ")"
      }
      lines.append(
        Formatting.row(
          [Formatting.grouped(result.members)] + cells
            + [Formatting.fixed(result.nanosecondsPerVirtualSecond / 1000, 1)], widths: widths))
    }
    lines.append("µs per s: all tick calls' time per virtual second (the timers' CPU load)")
    return lines.joined(separator: "\n")
  }

  /// Memory per node.
  static func memory(_ results: [MemoryResult]) -> String {
    let widths = [8, 10, 11, 6, 12, 12, 12]
    var lines = [
      "",
      "Memory per node of n members: heap in use (mallinfo2) and VmRSS growth, divided by nodes held",
      Formatting.row(
        ["members", "shape", "build", "nodes", "heap/node", "RSS/node", "heap/member"],
        widths: widths, leftAligned: 3),
    ]
    for result in results {
      lines.append(
        Formatting.row(
          [
            Formatting.grouped(result.members), result.shape.rawValue, result.build.rawValue,
            String(result.nodes), Formatting.bytes(result.heapPerNode),
            Formatting.bytes(result.residentPerNode),
            result.heapPerNode.map { Formatting.fixed($0 / Double(result.members), 0) + " B" }
              ?? "n/a",
          ], widths: widths, leftAligned: 3))
    }
    return lines.joined(separator: "\n")
  }

  /// The targets and the digest.
  static func footer(_ checks: [Targets.Check], digest: UInt64) -> String {
    var lines = ["", "Targets:"]
    for check in checks {
      let verdict = check.met.map { $0 ? "met" : "NOT met" } ?? "not measured"
      lines.append("  \(check.target): \(verdict) (\(check.detail))")
    }
    lines.append("digest: \(String(digest, radix: 16)) (outputs folded so none is optimized away)")
    return lines.joined(separator: "\n")
  }
}
