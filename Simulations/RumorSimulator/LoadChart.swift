/// The report's third panel: how the sending load spreads over the nodes.
struct LoadChart {
  /// The run drawn.
  let result: ScenarioResult

  /// Draws the panel into `frame`.
  func draw(on canvas: inout SVGCanvas, in frame: ChartPanel.Frame) {
    let packets = result.packetsPerNode
    let histogram = Histogram(packets)
    let bins = histogram.counts.count
    // A handful of bins would stretch across the whole plot; centring them
    // in at least five bin widths keeps them looking like bars.
    let pad = Double(max(0, 5 - bins)) / 2 * Double(histogram.width)
    let low = max(0, Double(histogram.start) - pad)
    let high = Double(histogram.lowerEdge(bins)) + pad
    let tallest = histogram.counts.max() ?? 0
    let panel = ChartPanel(
      frame: frame,
      xAxis: ChartAxis(covering: low, high, tickCount: 7, wholeNumbers: true),
      // Headroom above the tallest bar for the mean's label.
      yAxis: ChartAxis(
        covering: 0, max(1, Double(tallest) * 1.15), tickCount: 5, wholeNumbers: true))

    let rate = FixedDecimal.figure(result.messagesPerNodePerSecond, decimals: 2)
    let bytes = FixedDecimal.figure(result.bytesPerNodePerSecond, decimals: 0)
    panel.drawFrame(
      on: &canvas, title: "Per-node load",
      subtitle:
        "\(packets.count) running node\(packets.count == 1 ? "" : "s") · \(rate) msgs/node/s · \(bytes) bytes/node/s",
      xTitle: "packets sent per node", yTitle: "nodes", yLabel: { panel.yAxis.label($0) })

    guard !packets.isEmpty else {
      panel.drawNote(on: &canvas, "no running nodes at the end")
      return
    }
    let bottom = panel.y(0)
    for (index, count) in histogram.counts.enumerated() where count > 0 {
      let from = panel.x(Double(histogram.lowerEdge(index)))
      let to = panel.x(Double(histogram.lowerEdge(index + 1)))
      let top = panel.y(Double(count))
      canvas.rect(x: from, y: top, width: to - from, height: bottom - top, className: "bar")
    }
    // Summed as Double: counters of many nodes could overflow an Int sum.
    let mean = packets.reduce(0.0) { $0 + Double($1) } / Double(packets.count)
    var labels = panel.labelsAboveBars()
    panel.drawMarker(
      on: &canvas, at: mean, label: "mean \(FixedDecimal.text(mean, decimals: 1))", kind: "mean",
      labels: &labels)
  }
}
