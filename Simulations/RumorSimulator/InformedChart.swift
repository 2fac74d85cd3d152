/// The report's first panel: how much of the membership the running nodes
/// see alive over time, with convergence and the fault marked.
struct InformedChart {
  /// The run drawn.
  let result: ScenarioResult

  /// Draws the panel into `frame`.
  func draw(on canvas: inout SVGCanvas, in frame: ChartPanel.Frame) {
    let samples = result.informedCurve
      .filter { $0.time.isFinite && $0.informed.isFinite }
      .sorted { $0.time < $1.time }
    let converged = result.convergeSeconds.flatMap { $0.isFinite ? $0 : nil }
    let fault = FaultWindow(result)
    let simulated = result.simulatedSeconds.isFinite ? result.simulatedSeconds : 0
    let end = [simulated, samples.last?.time ?? 0, converged ?? 0, fault?.start ?? 0].max() ?? 0
    let panel = ChartPanel(
      frame: frame,
      xAxis: ChartAxis(covering: min(0, samples.first?.time ?? 0), end, tickCount: 12),
      yAxis: ChartAxis(lower: 0, upper: 100, step: 20))

    // The fault's span goes first, under the grid and the curve.
    if let fault, let faultEnd = fault.end {
      let from = panel.x(fault.start)
      canvas.rect(
        x: from, y: panel.plot.y, width: panel.x(faultEnd) - from, height: panel.plot.height,
        className: "fault-window")
    }
    let interval = FixedDecimal.compact(result.options.sampleInterval, decimals: 3)
    panel.drawFrame(
      on: &canvas, title: "Fraction of nodes informed over time",
      subtitle:
        "Share of running nodes that see exactly the current members alive and no one else alive or suspect, every \(interval) s",
      xTitle: "seconds", yTitle: "informed", yLabel: { "\(panel.yAxis.label($0))%" })

    let curve = PolylineDecimation.reduce(
      samples.map { (x: panel.x($0.time), y: panel.y($0.informed * 100)) })
    if samples.isEmpty {
      panel.drawNote(on: &canvas, "no samples in this run")
    } else if curve.count == 1, let point = curve.first {
      canvas.circle(x: point.x, y: point.y, radius: 3, className: "point")
    } else {
      canvas.path(SVGCanvas.polylineData(curve), className: "curve")
    }

    var labels = panel.labelsBelowRisingCurve(curve: curve)
    if let converged {
      panel.drawMarker(
        on: &canvas, at: converged, label: "converged \(FixedDecimal.seconds(converged))",
        kind: "converge", labels: &labels)
    }
    if let fault {
      let when =
        fault.end.map {
          "\(FixedDecimal.text(fault.start, decimals: 2))–\(FixedDecimal.seconds($0))"
        } ?? FixedDecimal.seconds(fault.start)
      panel.drawMarker(
        on: &canvas, at: fault.start, label: "fault \(when)", kind: "fault", labels: &labels)
    }
  }
}
