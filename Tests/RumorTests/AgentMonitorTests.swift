import Testing

@testable import Rumor

@Suite("The agent's monitor: recent lines bounded, filtered by level, numbered in order")
struct AgentMonitorTests {
  /// The `data:` lines of `bytes`, an SSE stream's records.
  func lines(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n")
      .filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
  }

  @Test("the recent records keep the last 256 (and at most 64 KiB), from the level asked up")
  func recentBounded() {
    let monitor = AgentMonitor()
    for index in 0..<1_000 {
      monitor.record(index % 10 == 0 ? .warning : .info, "line \(index)")
    }
    let all = lines(monitor.recent(from: .info))
    #expect(all.count == AgentMonitor.recentLimit)
    #expect(all.last?.contains("line 999") == true)
    #expect(all.first?.contains("line \(1_000 - AgentMonitor.recentLimit)\"") == true)
    let warnings = lines(monitor.recent(from: .warning))
    #expect(warnings.allSatisfy { $0.contains("\"level\":\"warning\"") })
    let kept = (1_000 - AgentMonitor.recentLimit)..<1_000
    #expect(warnings.count == kept.count { $0 % 10 == 0 })
    #expect(lines(monitor.recent(from: .error)).isEmpty)
    // Long lines: the byte bound holds too.
    let wide = AgentMonitor()
    for _ in 0..<100 { wide.record(.info, String(repeating: "x", count: 4_000)) }
    #expect(wide.recent(from: .info).count <= AgentMonitor.recentBytes)
    #expect(lines(wide.recent(from: .info)).count >= 15)
    // No server: nothing is counted as dropped.
    #expect(monitor.dropped == 0)
  }

  @Test("records are numbered in the order they are kept")
  func numbered() {
    let monitor = AgentMonitor()
    for index in 0..<300 { monitor.record(.info, "\(index)") }
    let ids = String(decoding: monitor.recent(from: .debug), as: UTF8.self).split(separator: "\n")
      .filter { $0.hasPrefix("id: ") }.compactMap { UInt64($0.dropFirst(4)) }
    #expect(ids == Array(45...300))
  }
}
