import Foundation
import Testing

@testable import RumorSimulator

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Whether `text` parses as XML.
private func isWellFormedXML(_ text: String) -> Bool {
  XMLParser(data: Data(text.utf8)).parse()
}

@Suite("The SVG report")
struct SVGReportTests {
  /// A small crash run, shared by the tests that only read it.
  static let crash = ScenarioRunner.run(
    ScenarioOptions(scenario: .crash, nodes: 12, seed: 1, duration: 20, affected: 1))

  @Test("a crash run renders as well-formed XML")
  func crashIsWellFormed() {
    let svg = SVGReport(Self.crash).render()
    #expect(svg.hasPrefix("<?xml"))
    #expect(isWellFormedXML(svg))
  }

  @Test("the report shows the three panels and the run's settings")
  func panelsAndHeader() {
    let svg = SVGReport(Self.crash).render()
    #expect(svg.contains("Fraction of nodes informed over time"))
    #expect(svg.contains("Detection time CDF"))
    #expect(svg.contains("Per-node load"))
    #expect(svg.contains("crash · 12 nodes · seed 1"))
    #expect(svg.contains("converge_s"))
    #expect(svg.contains(">fault "))
  }

  @Test("rendering the same result twice gives the same bytes")
  func deterministic() {
    #expect(SVGReport(Self.crash).render() == SVGReport(Self.crash).render())
  }

  @Test("the report loads nothing from outside the document")
  func selfContained() {
    let svg = SVGReport(Self.crash).render()
    #expect(!svg.contains("<script"))
    #expect(!svg.contains("<image"))
    #expect(!svg.contains("href"))
    #expect(!svg.contains("@import"))
  }

  @Test("a one-node run without departures still renders valid XML")
  func singleNode() {
    let result = ScenarioRunner.run(ScenarioOptions(scenario: .converge, nodes: 1, duration: 2))
    let svg = SVGReport(result).render()
    #expect(isWellFormedXML(svg))
    #expect(svg.contains("no departures in this scenario"))
  }

  @Test("empty curves, NaN and infinite values render as valid XML without trapping")
  func degenerateValues() {
    var empty = ScenarioResult(options: ScenarioOptions(scenario: .pause, nodes: 3))
    #expect(isWellFormedXML(SVGReport(empty).render()))

    empty.convergeSeconds = .nan
    empty.simulatedSeconds = .infinity
    empty.messagesPerNodePerSecond = .nan
    empty.informedCurve = [
      Monitor.Sample(time: .nan, informed: 0.5), Monitor.Sample(time: 1, informed: .infinity),
      Monitor.Sample(time: 2, informed: 1),
    ]
    empty.detectionDelays = [.nan, 3, 3, .infinity, -.infinity]
    empty.packetsPerNode = [7, 7, 7]
    let svg = SVGReport(empty).render()
    #expect(isWellFormedXML(svg))
    #expect(svg.range(of: #"\b-?(nan|inf)\b"#, options: .regularExpression) == nil)
  }

  @Test("text is escaped for XML and forbidden control characters are dropped")
  func escaping() {
    #expect(
      SVGCanvas.escape("a<b & \"c\" 'd'>\u{1}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
  }

  @Test("numbers have a fixed number of decimals and no negative zero")
  func fixedDecimals() {
    #expect(FixedDecimal.text(2.345, decimals: 2) == "2.35")
    #expect(FixedDecimal.text(-0.04, decimals: 1) == "0.0")
    #expect(FixedDecimal.text(-1.25, decimals: 1) == "-1.3")
    #expect(FixedDecimal.text(7, decimals: 0) == "7")
    #expect(FixedDecimal.compact(0.050, decimals: 4) == "0.05")
  }

  @Test("axis ticks fall on round numbers that cover the data")
  func niceTicks() {
    let axis = ChartAxis(covering: 0, 7.3, tickCount: 5)
    #expect(axis.ticks == [0, 2, 4, 6, 8])
    #expect(axis.decimals == 0)
    let small = ChartAxis(covering: 0, 0.37, tickCount: 5)
    #expect(small.ticks.last ?? 0 >= 0.37)
    #expect(small.decimals == 1)
    let single = ChartAxis(covering: 5, 5)
    #expect(single.lower < 5 && single.upper > 5)
  }

  @Test("a histogram of equal values has one bin holding them all")
  func histogramOfEqualValues() {
    let histogram = Histogram([40, 40, 40])
    #expect(histogram.counts == [3])
    #expect(Histogram([]).counts.isEmpty)
    let spread = Histogram(Array(0..<1000))
    #expect(spread.counts.count <= 21)
    #expect(spread.counts.reduce(0, +) == 1000)
  }
}
