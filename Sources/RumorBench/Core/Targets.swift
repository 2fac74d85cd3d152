import CommandLineSupport

/// The issue's targets, checked against the measured figures.
enum Targets {
  /// A status change must be handled in under 50 µs…
  static let statusChangeNanoseconds = 50_000.0
  /// …and a join take under 1 s of CPU…
  static let joinCPUSeconds = 1.0
  /// …at 10,000 members.
  static let size = 10_000

  /// One target: what it asks, whether it is met, and the figure.
  struct Check {
    /// The target in words.
    let target: String
    /// nil when the size was not measured.
    let met: Bool?
    /// The figure compared.
    let detail: String
  }

  /// Checks every target that the measured sizes allow.
  static func evaluate(status: [StatusChangeResult], joins: [JoinResult]) -> [Check] {
    var checks: [Check] = []
    let atSize = status.filter { $0.members == size }
    if atSize.isEmpty {
      checks.append(
        Check(target: "status change < 50 µs at 10,000", met: nil, detail: "size not measured"))
    } else {
      for result in atSize {
        let worst = result.timings.max { $0.nanoseconds.p99 < $1.nanoseconds.p99 }
        let worstMedian = result.timings.map(\.nanoseconds.median).max() ?? 0
        let worstP99 = worst?.nanoseconds.p99 ?? 0
        checks.append(
          Check(
            target: "status change < 50 µs at 10,000 (\(result.path.rawValue))",
            met: worstP99 < statusChangeNanoseconds,
            detail:
              "slowest median \(Formatting.fixed(worstMedian / 1000, 1)) µs, slowest p99 "
              + "\(Formatting.fixed(worstP99 / 1000, 1)) µs (\(worst?.change.rawValue ?? "-"))"))
      }
    }
    if let join = joins.first(where: { $0.members == size }) {
      for (name, runs) in [
        ("join by push-pull reply", join.pushPull),
        ("join by gossip (receive)", join.gossipMessages),
        ("join by gossip (receivePacket)", join.gossipPackets),
      ] {
        checks.append(
          Check(
            target: "\(name) < 1 s CPU at 10,000", met: runs.cpuMaximum < joinCPUSeconds,
            detail: "median \(Formatting.fixed(runs.cpuMedian, 3)) s, slowest "
              + "\(Formatting.fixed(runs.cpuMaximum, 3)) s"))
      }
    } else {
      checks.append(
        Check(target: "join < 1 s CPU at 10,000", met: nil, detail: "size not measured"))
    }
    return checks
  }

  /// How much the median of each kind grew from the smallest size to the
  /// largest: the "cost must not grow with the cluster" part.
  static func growth(_ status: [StatusChangeResult], path: DeliveryPath) -> [(
    change: StatusChange, ratio: Double
  )] {
    let forPath = status.filter { $0.path == path }.sorted { $0.members < $1.members }
    guard let smallest = forPath.first, let largest = forPath.last, forPath.count > 1 else {
      return []
    }
    return zip(smallest.timings, largest.timings).map { small, large in
      (
        small.change,
        small.nanoseconds.median > 0 ? large.nanoseconds.median / small.nanoseconds.median : 0
      )
    }
  }
}
