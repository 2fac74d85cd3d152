/// Thins a polyline to what a screen can show: per pixel column only the
/// first, lowest, highest and last points (the M4 method), which draws the
/// same picture as every point but keeps a day-long curve sampled four
/// times a second to a few kilobytes.
enum PolylineDecimation {
  /// `points` (in pixels, x not decreasing) reduced to at most four per
  /// column `columnWidth` pixels wide, in their original order.
  static func reduce(_ points: [(x: Double, y: Double)], columnWidth: Double = 1) -> [(
    x: Double, y: Double
  )] {
    guard points.count > 4, columnWidth > 0 else { return points }
    var kept: [(x: Double, y: Double)] = []
    var start = 0
    while start < points.count {
      let column = (points[start].x / columnWidth).rounded(.down)
      var end = start
      var lowest = start
      var highest = start
      while end < points.count && (points[end].x / columnWidth).rounded(.down) == column {
        if points[end].y < points[lowest].y { lowest = end }
        if points[end].y > points[highest].y { highest = end }
        end += 1
      }
      var previous = -1
      for index in [start, min(lowest, highest), max(lowest, highest), end - 1]
      where index != previous {
        kept.append(points[index])
        previous = index
      }
      start = end
    }
    return kept
  }
}
