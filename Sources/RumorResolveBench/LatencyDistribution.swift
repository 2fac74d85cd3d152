/// Per-call nanoseconds, sorted, and the statistics the report prints.
struct LatencyDistribution: Sendable {
  /// The samples in nanoseconds, ascending.
  let sorted: [UInt64]

  /// Sorts `samples`.
  init(_ samples: [UInt64]) {
    sorted = samples.sorted()
  }

  /// How many samples.
  var count: Int { sorted.count }

  /// The median: a descheduled call or a page fault does not move it.
  var p50: UInt64 { quantile(0.5) }
  /// The 90th percentile.
  var p90: UInt64 { quantile(0.9) }
  /// The 99th percentile: the slow tail (a cache miss, a contended lock).
  var p99: UInt64 { quantile(0.99) }
  /// The 99.9th percentile: mostly interrupts and preemption at these
  /// durations.
  var p999: UInt64 { quantile(0.999) }
  /// The slowest sample.
  var maximum: UInt64 { sorted.last ?? 0 }
  /// The fastest sample.
  var minimum: UInt64 { sorted.first ?? 0 }

  /// The arithmetic mean, which unlike the median includes the rare slow
  /// calls (what a caller pays on average).
  var mean: Double {
    guard !sorted.isEmpty else { return 0 }
    var total: Double = 0
    for sample in sorted { total += Double(sample) }
    return total / Double(sorted.count)
  }

  /// The nearest-rank quantile `q` (0...1): always a measured value,
  /// never an interpolation between two.
  func quantile(_ q: Double) -> UInt64 {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }
}
