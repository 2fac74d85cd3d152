import CommandLineSupport
import RumorWire

/// `rumor-bench join`: a join of thousands of members through a real
/// node's loop, Serf layer included (the target: at most 1 s of CPU for
/// the node taking in 10,000 members).
enum JoinBenchmark {
  /// The CPU the node's thread may spend on a 10,000-member join.
  static let targetCPUSeconds = 1.0

  /// Runs the benchmark with the arguments after its name; returns the
  /// exit status.
  static func run(_ arguments: [String]) -> Int32 {
    let options: JoinBenchOptions
    switch JoinBenchOptions.read(arguments) {
    case .success(let parsed): options = parsed
    case .failure(let exit): return exit.status
    }
    do {
      let request = try JoinRequest.bytes(count: options.members)
      let runner = NodeJoinRun(
        request: request, members: options.members, timeoutSeconds: options.timeoutSeconds)
      if !options.json {
        print(
          "rumor-bench join: \(Formatting.grouped(options.members)) members through a node's loop,"
            + " \(options.runs) run\(options.runs == 1 ? "" : "s")"
            + (options.quick ? " (--quick: not figures to quote)" : ""))
        print(Formatting.row(header, widths: widths))
      }
      var results: [NodeJoinResult] = []
      for index in 0..<options.runs {
        let result = try runner.run(index: index)
        results.append(result)
        if !options.json { print(Formatting.row(cells("\(index + 1)", result), widths: widths)) }
      }
      let memory = PeakMemory.Report.current()
      let summary = Summary(results)
      if options.json {
        print(json(options, results, summary, memory: memory).text)
      } else {
        print(Formatting.row(summary.cells, widths: widths))
        print(
          "join stream \(Formatting.grouped(request.count)) B (LZW), reply"
            + " \(Formatting.grouped(results.first?.replyBytes ?? 0)) B;"
            + " peak RSS \(megabytes(memory.highWaterMark)) (VmHWM)")
        if options.members == 10_000 {
          let met = summary.cpu.median / 1e9 <= targetCPUSeconds
          print(
            "target: node thread CPU <= \(Formatting.fixed(targetCPUSeconds, 1)) s for 10,000"
              + " members: \(met ? "met" : "NOT met")")
        }
      }
      return 0
    } catch {
      StandardError.emit("rumor-bench join: \(error)")
      return 1
    }
  }

  private static let header = [
    "run", "wall ms", "reply ms", "node CPU ms", "CPU ms (stat)", "members",
  ]
  private static let widths = [6, 9, 9, 12, 14, 8]

  private static func cells(_ label: String, _ result: NodeJoinResult) -> [String] {
    [
      label, milliseconds(result.wallNanoseconds), milliseconds(result.replyNanoseconds),
      milliseconds(result.nodeCPUNanoseconds), milliseconds(result.nodeCPUStatNanoseconds),
      Formatting.grouped(result.members),
    ]
  }

  private static func milliseconds(_ nanoseconds: UInt64) -> String {
    Formatting.fixed(Double(nanoseconds) / 1e6, 1)
  }

  private static func megabytes(_ bytes: UInt64?) -> String {
    bytes.map { Formatting.fixed(Double($0) / 1_048_576, 1) + " MiB" } ?? "unknown"
  }

  /// The medians over the runs.
  private struct Summary {
    let wall: Percentiles<Double>
    let reply: Percentiles<Double>
    let cpu: Percentiles<Double>
    let cpuStat: Percentiles<Double>

    init(_ results: [NodeJoinResult]) {
      wall = Percentiles(results.map { Double($0.wallNanoseconds) })
      reply = Percentiles(results.map { Double($0.replyNanoseconds) })
      cpu = Percentiles(results.map { Double($0.nodeCPUNanoseconds) })
      cpuStat = Percentiles(results.map { Double($0.nodeCPUStatNanoseconds) })
    }

    var cells: [String] {
      [
        "median", Formatting.fixed(wall.median / 1e6, 1), Formatting.fixed(reply.median / 1e6, 1),
        Formatting.fixed(cpu.median / 1e6, 1), Formatting.fixed(cpuStat.median / 1e6, 1), "",
      ]
    }
  }

  private static func json(
    _ options: JoinBenchOptions, _ results: [NodeJoinResult], _ summary: Summary,
    memory: PeakMemory.Report
  ) -> JSONValue {
    func seconds(_ nanoseconds: Double) -> JSONValue {
      .number(Formatting.rounded(nanoseconds / 1e9, 6))
    }
    let runs: [JSONValue] = results.map { result in
      .object([
        ("wallSeconds", seconds(Double(result.wallNanoseconds))),
        ("replySeconds", seconds(Double(result.replyNanoseconds))),
        ("nodeCPUSeconds", seconds(Double(result.nodeCPUNanoseconds))),
        ("nodeCPUStatSeconds", seconds(Double(result.nodeCPUStatNanoseconds))),
        ("requestBytes", .count(result.requestBytes)),
        ("replyBytes", .count(result.replyBytes)),
        ("members", .count(result.members)),
      ])
    }
    return .object([
      ("tool", "rumor-bench join"),
      ("members", .count(options.members)),
      ("runs", .array(runs)),
      ("statistic", "median"),
      ("wallSeconds", seconds(summary.wall.median)),
      ("replySeconds", seconds(summary.reply.median)),
      ("nodeCPUSeconds", seconds(summary.cpu.median)),
      ("nodeCPUStatSeconds", seconds(summary.cpuStat.median)),
      ("peakRSSBytes", memory.highWaterMark.map { JSONValue.count($0) } ?? .null),
    ])
  }
}
