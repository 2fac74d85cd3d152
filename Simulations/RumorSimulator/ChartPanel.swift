/// One chart of the report: its titles, its axes with grid and tick
/// labels, and the mapping from data values to pixels.
struct ChartPanel {
  /// A rectangle in pixels.
  struct Frame {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
  }

  /// The whole panel, titles and tick labels included.
  let frame: Frame
  /// The area the data is drawn in.
  let plot: Frame
  /// The horizontal scale.
  let xAxis: ChartAxis
  /// The vertical scale.
  let yAxis: ChartAxis

  /// A panel filling `frame`, leaving room around the plot for two title
  /// lines above and tick labels and axis titles to the left and below.
  init(frame: Frame, xAxis: ChartAxis, yAxis: ChartAxis) {
    self.frame = frame
    self.plot = Frame(
      x: frame.x + 72, y: frame.y + 58, width: max(1, frame.width - 96),
      height: max(1, frame.height - 108))
    self.xAxis = xAxis
    self.yAxis = yAxis
  }

  /// The pixel column of `value`; values off the axis stick to its ends
  /// rather than spill over the titles.
  func x(_ value: Double) -> Double {
    plot.x + plot.width * Self.clamped(xAxis.fraction(value))
  }

  /// The pixel row of `value` (up is more).
  func y(_ value: Double) -> Double {
    plot.y + plot.height * (1 - Self.clamped(yAxis.fraction(value)))
  }

  private static func clamped(_ fraction: Double) -> Double {
    fraction.isFinite ? min(1, max(0, fraction)) : 0
  }

  /// Draws the title, the subtitle, the grid, the axes and their labels;
  /// `yLabel` writes a vertical tick's label (such as "40%").
  func drawFrame(
    on canvas: inout SVGCanvas, title: String, subtitle: String, xTitle: String,
    yTitle: String, yLabel: (Double) -> String
  ) {
    let room = frame.x + frame.width - 8 - plot.x
    canvas.text(
      title, x: plot.x, y: frame.y + 24, className: "panel-title", maxWidth: room, fontSize: 15,
      emWidth: 0.62)
    canvas.text(subtitle, x: plot.x, y: frame.y + 42, className: "subtitle", maxWidth: room)
    let bottom = plot.y + plot.height
    for tick in yAxis.ticks {
      let row = y(tick)
      canvas.line(x1: plot.x, y1: row, x2: plot.x + plot.width, y2: row, className: "grid")
      canvas.text(yLabel(tick), x: plot.x - 8, y: row + 4, className: "tick", anchor: .end)
    }
    for tick in xAxis.ticks {
      let column = x(tick)
      canvas.line(x1: column, y1: plot.y, x2: column, y2: bottom, className: "grid")
      canvas.text(
        xAxis.label(tick), x: column, y: bottom + 17, className: "tick", anchor: .middle)
    }
    canvas.line(x1: plot.x, y1: bottom, x2: plot.x + plot.width, y2: bottom, className: "axis")
    canvas.line(x1: plot.x, y1: plot.y, x2: plot.x, y2: bottom, className: "axis")
    canvas.text(
      xTitle, x: plot.x + plot.width / 2, y: bottom + 38, className: "axis-title", anchor: .middle)
    let yTitleX = frame.x + 20
    let yTitleY = plot.y + plot.height / 2
    canvas.text(
      yTitle, x: yTitleX, y: yTitleY, className: "axis-title", anchor: .middle, rotation: -90)
  }

  /// Writes `note` in the middle of the plot, for charts without data.
  func drawNote(on canvas: inout SVGCanvas, _ note: String) {
    canvas.text(
      note, x: plot.x + plot.width / 2, y: plot.y + plot.height / 2 + 5, className: "note",
      anchor: .middle)
  }

  /// Draws a dashed vertical marker at `value` and its label, placed by
  /// `labels` so that markers do not collide; `kind` names the colour
  /// (the style sheet's `kind-line` and `kind-text` classes).
  func drawMarker(
    on canvas: inout SVGCanvas, at value: Double, label: String, kind: String,
    labels: inout MarkerLabels
  ) {
    let column = x(value)
    canvas.line(
      x1: column, y1: plot.y, x2: column, y2: plot.y + plot.height,
      className: "marker \(kind)-line")
    let placement = labels.place(label, at: column)
    canvas.text(
      label, x: placement.x, y: placement.y, className: "marker-label \(kind)-text",
      anchor: placement.anchor)
  }

  /// The first row of marker labels at the bottom of the plot, rising.
  private var bottomRows: (Double, Double) { (plot.y + plot.height - 8, -16) }
  /// The first row of marker labels at the top of the plot, going down.
  private var topRows: (Double, Double) { (plot.y + 16, 16) }

  /// Marker labels for a curve that rises and stays up (the informed
  /// fraction): at the bottom first, right of the line where the curve is
  /// high, then wherever `curve` leaves room.
  func labelsBelowRisingCurve(curve: [(x: Double, y: Double)]) -> MarkerLabels {
    labels(
      [(.start, bottomRows), (.end, bottomRows), (.start, topRows), (.end, topRows)],
      curve: curve)
  }

  /// Marker labels for a CDF: right of the line the curve is already high,
  /// so the bottom is free; left of it the curve is still low, so the top;
  /// then wherever `curve` leaves room.
  func labelsAroundCDF(curve: [(x: Double, y: Double)]) -> MarkerLabels {
    labels(
      [(.start, bottomRows), (.end, topRows), (.end, bottomRows), (.start, topRows)],
      curve: curve)
  }

  /// Marker labels at the top, where bars leave headroom.
  func labelsAboveBars() -> MarkerLabels {
    labels([(.start, topRows), (.end, topRows)], curve: [])
  }

  private func labels(
    _ lanes: [(SVGCanvas.Anchor, (Double, Double))], curve: [(x: Double, y: Double)]
  ) -> MarkerLabels {
    var labels = MarkerLabels(
      left: plot.x + 2, right: plot.x + plot.width - 2,
      lanes: lanes.map {
        MarkerLabels.Lane(anchor: $0.0, firstBaseline: $0.1.0, rowStep: $0.1.1)
      }, fontSize: 12)
    labels.curve = curve
    return labels
  }
}
