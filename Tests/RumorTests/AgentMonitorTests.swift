import Dispatch
import Foundation
import RumorDiscovery
import Testing

@testable import Rumor

#if canImport(Glibc)
  import Glibc
#endif

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

  @Test("a monitor client that never reads is dropped and counted; a reading one gets the lines")
  func slowClientDropped() async throws {
    let monitor = AgentMonitor()
    monitor.record(.info, "before the API")
    let (node, api) = try startLocalAgentAPI(name: "monitor-node", seed: 3, monitor: monitor)
    let port = api.address.port
    let outcome = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: Self.floodSlowClient(port: port, monitor: monitor, api: api))
      }
    }
    api.stop()
    await node.shutdown()
    #expect(outcome.dropped, "the silent client was never dropped")
    #expect(outcome.readerGot.contains("before the API"), "\(outcome.readerGot.prefix(300))")
    #expect(outcome.readerGot.contains("flood 1 x"), "\(outcome.readerGot.prefix(300))")
  }

  /// Connects a client that never reads (a small receive buffer) and one
  /// that reads, floods the monitor, and says whether the first was
  /// dropped and what the second got first. Blocking: off the pool.
  static func floodSlowClient(port: UInt16, monitor: AgentMonitor, api: AgentAPI)
    -> (dropped: Bool, readerGot: String)
  {
    func connectClient(receiveBuffer: Int32?) -> Int32 {
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      if var size = receiveBuffer {
        _ = setsockopt(
          descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
      }
      var remote = sockaddr_in()
      remote.sin_family = sa_family_t(AF_INET)
      remote.sin_port = port.bigEndian
      remote.sin_addr.s_addr = inet_addr("127.0.0.1")
      _ = withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      let request = Array("GET /v1/monitor HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
      _ = request.withUnsafeBytes {
        send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      return descriptor
    }
    let silent = connectClient(receiveBuffer: 4_096)
    let reader = connectClient(receiveBuffer: nil)
    defer {
      close(silent)
      close(reader)
    }
    usleep(200_000)
    var readerGot: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    var dropped = false
    let wide = String(repeating: "x", count: 16_000)
    for index in 1...400 {
      monitor.record(.info, "flood \(index) \(wide)")
      var readable = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
      while poll(&readable, 1, 0) > 0 {
        let count = read(reader, &chunk, chunk.count)
        guard count > 0 else { break }
        if readerGot.count < 1_000_000 { readerGot += chunk[0..<count] }
      }
      if api.counters.slowStreamsDropped > 0 {
        dropped = true
        break
      }
      usleep(2_000)
    }
    return (dropped, String(decoding: readerGot, as: UTF8.self))
  }
}
