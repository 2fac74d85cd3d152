/// The report's second panel: for every departure and every observer, how
/// long the observer took to notice, as a cumulative distribution.
struct DetectionChart {
  /// The run drawn.
  let result: ScenarioResult

  /// Draws the panel into `frame`.
  func draw(on canvas: inout SVGCanvas, in frame: ChartPanel.Frame) {
    let delays = result.detectionDelays.filter(\.isFinite).sorted()
    let panel = ChartPanel(
      frame: frame,
      xAxis: ChartAxis(covering: min(0, delays.first ?? 0), delays.last ?? 0, tickCount: 8),
      yAxis: ChartAxis(lower: 0, upper: 100, step: 20))
    let median = delays.isEmpty ? nil : delays[(delays.count - 1) / 2]
    // Nearest rank: the smallest delay at least 99 % of observers beat.
    let p99Rank = Int((Double(delays.count) * 0.99).rounded(.up)) - 1
    let p99 = delays.isEmpty ? nil : delays[min(max(0, p99Rank), delays.count - 1)]
    var subtitle = "One step per observer and departure"
    if let median, let p99 {
      let departures = result.departures.count
      subtitle =
        "\(delays.count) notices of \(departures) departure\(departures == 1 ? "" : "s") · median \(FixedDecimal.seconds(median)) · p99 \(FixedDecimal.seconds(p99))"
    }
    panel.drawFrame(
      on: &canvas, title: "Detection time CDF", subtitle: subtitle,
      xTitle: "seconds after the departure", yTitle: "observers",
      yLabel: { "\(panel.yAxis.label($0))%" })

    guard let median, let p99 else {
      panel.drawNote(on: &canvas, "no departures in this scenario")
      return
    }
    let curve = steps(delays, panel: panel)
    canvas.path(SVGCanvas.polylineData(curve), className: "curve")
    var labels = panel.labelsAroundCDF(curve: curve)
    panel.drawMarker(
      on: &canvas, at: median, label: "median \(FixedDecimal.seconds(median))", kind: "quantile",
      labels: &labels)
    panel.drawMarker(
      on: &canvas, at: p99, label: "p99 \(FixedDecimal.seconds(p99))", kind: "quantile",
      labels: &labels)
  }

  /// The corners of the step curve of the sorted `delays`: steps closer
  /// than half a pixel merge into one, which looks the same and keeps a
  /// million delays from becoming a million path commands.
  private func steps(_ delays: [Double], panel: ChartPanel) -> [(x: Double, y: Double)] {
    var corners = [(x: panel.plot.x, y: panel.y(0))]
    var column = -Double.infinity
    var pendingRow: Double?
    for (index, delay) in delays.enumerated() {
      let x = panel.x(delay)
      if x - column >= 0.5 {
        if let pendingRow, let last = corners.last { corners.append((last.x, pendingRow)) }
        if let last = corners.last { corners.append((x, last.y)) }
        column = x
      }
      pendingRow = panel.y(100 * Double(index + 1) / Double(delays.count))
    }
    if let pendingRow, let last = corners.last { corners.append((last.x, pendingRow)) }
    if let last = corners.last { corners.append((panel.plot.x + panel.plot.width, last.y)) }
    return corners
  }
}
