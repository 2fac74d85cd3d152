import Testing

@testable import Rumor

@Suite("PrometheusText: format 0.0.4, escaped, no duplicates")
struct PrometheusTextTests {
  @Test("HELP and TYPE once per family, samples after them, values as the format spells them")
  func layout() {
    var metrics = PrometheusText()
    metrics.add("rumor_probes_total", .counter, help: "Probes started.", 3)
    metrics.add(
      "rumor_members", .gauge, help: "Members.",
      [.init([("status", "alive")], 2), .init([("status", "dead")], 0)])
    metrics.add("rumor_ratio", .gauge, help: "A ratio.", [.init([], 0.25)])
    metrics.add(
      "rumor_odd", .gauge, help: "Odd values.",
      [
        .init([("v", "nan")], Double.nan), .init([("v", "inf")], Double.infinity),
        .init([("v", "-inf")], -Double.infinity),
      ])
    #expect(
      metrics.text == """
        # HELP rumor_probes_total Probes started.
        # TYPE rumor_probes_total counter
        rumor_probes_total 3
        # HELP rumor_members Members.
        # TYPE rumor_members gauge
        rumor_members{status="alive"} 2
        rumor_members{status="dead"} 0
        # HELP rumor_ratio A ratio.
        # TYPE rumor_ratio gauge
        rumor_ratio 0.25
        # HELP rumor_odd Odd values.
        # TYPE rumor_odd gauge
        rumor_odd{v="nan"} NaN
        rumor_odd{v="inf"} +Inf
        rumor_odd{v="-inf"} -Inf

        """)
  }

  @Test("hostile label values are escaped: quotes, backslashes, newlines, braces, Unicode")
  func escaping() {
    var metrics = PrometheusText()
    let hostile = "a\"b\\c\nd} e{f=\"g\",h=\"\u{0}\u{7F}✓"
    metrics.add(
      "rumor_service_health", .gauge, help: "Line one\nline \\two", labels: [("service", hostile)],
      1)
    let lines = metrics.text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 4)
    #expect(lines[0] == "# HELP rumor_service_health Line one\\nline \\\\two")
    #expect(
      lines[2]
        == "rumor_service_health{service=\"a\\\"b\\\\c\\nd} e{f=\\\"g\\\",h=\\\"\u{0}\u{7F}✓\"} 1")
  }

  @Test("bad metric and label names become valid ones; reserved label names get a prefix")
  func names() {
    #expect(PrometheusText.metricName("9rumor-dns.queries total") == "_rumor_dns_queries_total")
    #expect(PrometheusText.metricName("") == "_")
    #expect(PrometheusText.metricName("a:b") == "a:b")
    #expect(PrometheusText.labelName("a:b") == "a_b")
    #expect(PrometheusText.labelName("__name__") == "x__name__")
    #expect(PrometheusText.labelText([("a", "1"), ("a", "2")]) == "{a=\"1\"}")
  }

  @Test("a family added twice is merged; the same labels replace; another type is refused")
  func duplicates() {
    var metrics = PrometheusText()
    metrics.add("rumor_x_total", .counter, help: "X.", labels: [("k", "a")], 1)
    metrics.add("rumor_x_total", .counter, help: "X again.", labels: [("k", "b")], 2)
    metrics.add("rumor_x_total", .counter, help: "X.", labels: [("k", "a")], 3)
    let refused = metrics.add("rumor_x_total", .gauge, help: "X.", 4)
    #expect(!refused)
    // Two names that sanitize alike are one family.
    metrics.add("rumor-x_total", .counter, help: "X.", labels: [("k", "c")], 5)
    #expect(
      metrics.text == """
        # HELP rumor_x_total X.
        # TYPE rumor_x_total counter
        rumor_x_total{k="a"} 3
        rumor_x_total{k="b"} 2
        rumor_x_total{k="c"} 5

        """)
  }
}
