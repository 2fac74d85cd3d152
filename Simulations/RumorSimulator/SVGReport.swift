/// The picture of a run (placeholder until the charts land).
public struct SVGReport {
  let result: ScenarioResult

  /// Creates a report of `result`.
  public init(_ result: ScenarioResult) {
    self.result = result
  }

  /// The SVG document.
  public func render() -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
  }
}
