/// Sorted samples and the statistics the report prints.
struct Distribution {
  /// The samples, ascending.
  let sorted: [Double]

  /// Sorts `samples`.
  init(_ samples: [Double]) {
    sorted = samples.sorted()
  }

  /// How many samples.
  var count: Int { sorted.count }

  /// The median: a descheduled event or a page fault does not move it.
  var median: Double { quantile(0.5) }

  /// The 99th percentile: the slow tail (allocator growth, a reshuffle).
  var p99: Double { quantile(0.99) }

  /// The fastest sample.
  var minimum: Double { sorted.first ?? 0 }

  /// The slowest sample.
  var maximum: Double { sorted.last ?? 0 }

  /// The arithmetic mean, which unlike the median includes rare costly
  /// samples (what the total CPU of many events is made of).
  var mean: Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted.reduce(0, +) / Double(sorted.count)
  }

  /// The sum of all samples.
  var total: Double { sorted.reduce(0, +) }

  /// The nearest-rank quantile `q` (0...1).
  func quantile(_ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }
}
