import CommandLineSupport
import RumorWire

/// Everything as one JSON object (`--json`).
enum CoreJSONReport {
  /// All results of one invocation.
  struct Results {
    let options: CoreBenchOptions
    let clockOverhead: Double
    let status: [StatusChangeResult]
    let joins: [JoinResult]
    let ticks: [TickResult]
    let memory: [MemoryResult]
    let checks: [Targets.Check]
    let digest: UInt64
  }

  /// The JSON object.
  static func render(_ results: Results) -> JSONValue {
    .object([
      ("tool", "rumor-bench core"),
      ("quick", .bool(results.options.quick)),
      ("sizes", .array(results.options.sizes.map { .count($0) })),
      ("clock", "CLOCK_MONOTONIC per event; CLOCK_PROCESS_CPUTIME_ID and CLOCK_MONOTONIC per join"),
      ("clockPairNanoseconds", .number(Formatting.rounded(results.clockOverhead, 1))),
      ("statusChange", .array(results.status.map(status))),
      ("join", .array(results.joins.map(join))),
      ("tick", .array(results.ticks.map(tick))),
      ("memory", .array(results.memory.map(memory))),
      ("targets", .array(results.checks.map(check))),
      ("digest", .string(String(results.digest, radix: 16))),
    ])
  }

  private static func distribution(_ samples: Percentiles<Double>) -> JSONValue {
    .object([
      ("count", .count(samples.count)),
      ("medianNs", .number(Formatting.rounded(samples.median, 1))),
      ("p99Ns", .number(Formatting.rounded(samples.p99, 1))),
      ("meanNs", .number(Formatting.rounded(samples.mean, 1))),
      ("minNs", .number(Formatting.rounded(samples.minimum, 1))),
      ("maxNs", .number(Formatting.rounded(samples.maximum, 1))),
    ])
  }

  private static func status(_ result: StatusChangeResult) -> JSONValue {
    .object([
      ("members", .count(result.members)),
      ("path", .string(result.path.rawValue)),
      (
        "events",
        .object(
          result.timings.map { timing in
            var fields = distribution(timing.nanoseconds)
            if case .object(var list) = fields, let bytes = result.datagramBytes[timing.change] {
              list.append(("datagramBytes", .count(bytes)))
              fields = .object(list)
            }
            return (timing.change.rawValue, fields)
          })
      ),
    ])
  }

  private static func runs(_ runs: Runs) -> JSONValue {
    .object([
      ("cpuSecondsMedian", .number(Formatting.rounded(runs.cpuMedian, 6))),
      ("cpuSecondsMin", .number(Formatting.rounded(runs.cpuMinimum, 6))),
      ("cpuSecondsMax", .number(Formatting.rounded(runs.cpuMaximum, 6))),
      ("wallSecondsMedian", .number(Formatting.rounded(runs.wallMedian, 6))),
      ("runs", .count(runs.spans.count)),
    ])
  }

  private static func join(_ result: JoinResult) -> JSONValue {
    .object([
      ("members", .count(result.members)),
      ("replyBytes", .count(result.replyBytes)),
      ("pushPullReply", runs(result.pushPull)),
      ("pushPullReplyDecodeOnly", runs(result.replyDecode)),
      ("gossipReceive", runs(result.gossipMessages)),
      ("gossipReceivePacket", runs(result.gossipPackets)),
      ("gossipDatagrams", .count(result.gossipPacketCount)),
      ("answerJoin", runs(result.answer)),
      ("answerJoinEncodeOnly", runs(result.answerEncode)),
    ])
  }

  private static func tick(_ result: TickResult) -> JSONValue {
    .object([
      ("members", .count(result.members)),
      ("virtualSeconds", .count(result.virtualSeconds)),
      ("nsPerVirtualSecond", .number(Formatting.rounded(result.nanosecondsPerVirtualSecond, 0))),
      (
        "ticks",
        .object(result.timings.map { ($0.kind.rawValue, distribution($0.nanoseconds)) })
      ),
    ])
  }

  private static func memory(_ result: MemoryResult) -> JSONValue {
    .object([
      ("members", .count(result.members)),
      ("shape", .string(result.shape.rawValue)),
      ("build", .string(result.build.rawValue)),
      ("nodes", .count(result.nodes)),
      ("heapBytesPerNode", result.heapPerNode.map { .number($0.rounded()) } ?? .null),
      ("residentBytesPerNode", result.residentPerNode.map { .number($0.rounded()) } ?? .null),
    ])
  }

  private static func check(_ check: Targets.Check) -> JSONValue {
    .object([
      ("target", .string(check.target)),
      ("met", check.met.map { .bool($0) } ?? .null),
      ("detail", .string(check.detail)),
    ])
  }
}
