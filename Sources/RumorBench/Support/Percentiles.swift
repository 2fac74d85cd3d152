/// A value a benchmark samples: nanoseconds as a count or as a fraction,
/// seconds, bytes.
protocol PercentileSample: Comparable, AdditiveArithmetic, Sendable {
  /// The value as a `Double`, for means and totals.
  var doubleValue: Double { get }
}

extension Double: PercentileSample {
  /// The value itself.
  var doubleValue: Double { self }
}

extension UInt64: PercentileSample {
  /// The value converted.
  var doubleValue: Double { Double(self) }
}

/// Sorted samples and the statistics the reports print.
struct Percentiles<Sample: PercentileSample>: Sendable {
  /// The samples, ascending.
  let sorted: [Sample]

  /// Sorts `samples`.
  init(_ samples: [Sample]) {
    sorted = samples.sorted()
  }

  /// How many samples.
  var count: Int { sorted.count }

  /// The median: a descheduled call or a page fault does not move it.
  var median: Sample { quantile(0.5) }
  /// The 90th percentile.
  var p90: Sample { quantile(0.9) }
  /// The 99th percentile: the slow tail (allocator growth, a cache miss,
  /// a contended lock).
  var p99: Sample { quantile(0.99) }
  /// The 99.9th percentile: mostly interrupts and preemption at these
  /// durations.
  var p999: Sample { quantile(0.999) }
  /// The fastest sample.
  var minimum: Sample { sorted.first ?? .zero }
  /// The slowest sample.
  var maximum: Sample { sorted.last ?? .zero }

  /// The sum of all samples.
  var total: Double {
    var total: Double = 0
    for sample in sorted { total += sample.doubleValue }
    return total
  }

  /// The arithmetic mean, which unlike the median includes the rare slow
  /// samples (what the total CPU of many events is made of).
  var mean: Double {
    guard !sorted.isEmpty else { return 0 }
    return total / Double(sorted.count)
  }

  /// The nearest-rank quantile `q` (0...1): always a measured value, never
  /// an interpolation between two; zero without samples.
  func quantile(_ q: Double) -> Sample {
    guard !sorted.isEmpty else { return .zero }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }
}
