/// Counts of whole non-negative numbers (such as packets sent) in equal
/// bins of a round width.
struct Histogram {
  /// The lower edge of the first bin.
  let start: Int
  /// The width of every bin (at least 1, as the values are whole).
  let width: Int
  /// How many values fall in each bin.
  let counts: [Int]

  /// Bins `values` in about `targetBins` bins (fewer when the values span
  /// less); no bins for no values.
  init(_ values: [Int], targetBins: Int = 20) {
    // Counters are never negative; clamping keeps the edge arithmetic
    // below clear of overflow whatever arrives.
    let values = values.map { min(max($0, 0), Int.max / 4) }
    guard let low = values.min(), let high = values.max() else {
      (start, width, counts) = (0, 1, [])
      return
    }
    let rawWidth = ChartAxis.niceStep(
      Double(high - low) / Double(max(1, targetBins)), roundingUp: true)
    // Round widths keep the bin edges on numbers a reader can check.
    let width = max(1, Int(min(rawWidth.rounded(.up), Double(Int.max / 4))))
    let start = low - low % width
    var counts = Array(repeating: 0, count: (high - start) / width + 1)
    for value in values { counts[(value - start) / width] += 1 }
    (self.start, self.width, self.counts) = (start, width, counts)
  }

  /// The lower edge of bin `index`.
  func lowerEdge(_ index: Int) -> Int { start + index * width }
}
