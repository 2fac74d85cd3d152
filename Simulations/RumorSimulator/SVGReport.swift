/// The picture of a run, as one self-contained SVG document: a header
/// with the settings and headline figures, then three charts — the
/// informed fraction over time, the detection-time CDF and the per-node
/// load.
///
/// The same result always gives the same bytes: no dates, no generated
/// ids, numbers with fixed decimals.
public struct SVGReport {
  let result: ScenarioResult

  private static let width = 960.0
  private static let headerHeight = 72.0
  private static let panelHeight = 330.0

  /// The colours are the Okabe–Ito palette, which stays distinct with the
  /// common colour-vision deficiencies; markers are also dashed, so that
  /// they do not depend on colour at all.
  private static let style = """
    svg { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
    text { fill: #222222; }
    .background { fill: #ffffff; }
    .title { font-size: 18px; font-weight: 600; }
    .meta { font-size: 13px; fill: #444444; }
    .panel-title { font-size: 15px; font-weight: 600; }
    .subtitle { font-size: 12px; fill: #555555; }
    .tick { font-size: 11px; fill: #555555; }
    .axis-title { font-size: 12px; fill: #333333; }
    .note { font-size: 14px; font-style: italic; fill: #777777; }
    .grid { stroke: #e6e6e6; stroke-width: 1; }
    .axis { stroke: #888888; stroke-width: 1; }
    .curve { fill: none; stroke: #0072B2; stroke-width: 2; stroke-linejoin: round; }
    .point { fill: #0072B2; }
    .bar { fill: #56B4E9; stroke: #ffffff; stroke-width: 0.5; }
    .fault-window { fill: #D55E00; fill-opacity: 0.1; }
    .marker { stroke-width: 1.5; stroke-dasharray: 5 4; }
    .marker-label { font-size: 12px; font-weight: 600; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; paint-order: stroke; }
    .converge-line { stroke: #009E73; }
    .converge-text { fill: #007A59; }
    .fault-line { stroke: #D55E00; }
    .fault-text { fill: #B34F00; }
    .quantile-line { stroke: #555555; }
    .quantile-text { fill: #444444; }
    .mean-line { stroke: #E69F00; }
    .mean-text { fill: #8F6300; }
    """

  /// Creates a report of `result`.
  public init(_ result: ScenarioResult) {
    self.result = result
  }

  /// The SVG document.
  public func render() -> String {
    let width = Self.width
    let top = Self.headerHeight
    let height = top + 2 * Self.panelHeight + 10
    var canvas = SVGCanvas(width: width, height: height)
    let (identity, figures) = headerLines()
    canvas.text(
      identity, x: 24, y: 30, className: "title", maxWidth: width - 48, fontSize: 18,
      emWidth: 0.62)
    canvas.text(figures, x: 24, y: 54, className: "meta", maxWidth: width - 48, fontSize: 13)
    InformedChart(result: result).draw(
      on: &canvas, in: ChartPanel.Frame(x: 0, y: top, width: width, height: Self.panelHeight))
    let lower = top + Self.panelHeight
    DetectionChart(result: result).draw(
      on: &canvas,
      in: ChartPanel.Frame(x: 0, y: lower, width: width / 2, height: Self.panelHeight))
    LoadChart(result: result).draw(
      on: &canvas,
      in: ChartPanel.Frame(x: width / 2, y: lower, width: width / 2, height: Self.panelHeight))
    return canvas.document(title: "Rumor simulation: \(identity)", style: Self.style)
  }

  /// The settings of the run, and its headline figures under the names of
  /// `rumor-sim --json`.
  func headerLines() -> (identity: String, figures: String) {
    let options = result.options
    let identity = [
      options.scenario.rawValue,
      "\(options.nodes) node\(options.nodes == 1 ? "" : "s")",
      "seed \(options.seed)",
      "profile \(options.settings.profile.rawValue)",
      "Lifeguard \(options.settings.lifeguard ? "on" : "off")",
      "loss \(options.loss.isFinite ? FixedDecimal.compact(options.loss, decimals: 4) : "n/a")",
    ].joined(separator: " · ")
    // With no departure there is nothing to detect; nil otherwise means
    // some departure went unnoticed.
    let absent = result.departures.isEmpty ? "n/a" : "never"
    let figures = [
      "converge_s \(Self.seconds(result.convergeSeconds, absent: "never"))",
      "detect_first_s \(Self.seconds(result.detectFirstSeconds, absent: absent))"
        + " / detect_all_s \(Self.seconds(result.detectAllSeconds, absent: absent))",
      "false_suspicions \(result.falseSuspicions) / false_deaths \(result.falseDeaths)",
    ].joined(separator: " · ")
    return (identity, figures)
  }

  private static func seconds(_ value: Double?, absent: String) -> String {
    guard let value else { return absent }
    return FixedDecimal.figure(value, decimals: 2)
  }
}
