import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension TransportAttackTests {
  /// Clients that open many connections and send their headers a byte a
  /// second must not keep others, or the service's own health check, out.
  @Suite("Slow-loris against the HTTP responder")
  struct SlowLorisTests {
    @Test(
      "300 connections sending a header byte a second: /health answers in 2 s and the service stays passing"
    )
    func slowHeaders() async throws {
      let instance = try ExampleInstance(name: "loris-target")
      defer { instance.child.stop(signal: SIGKILL) }
      let target = NodeAddress(ipv4: 127, 0, 0, 1, port: instance.httpPort)
      #expect(
        await eventually(within: 15) {
          await ExampleServiceTests.passingURLs(asSeenBy: instance.gossip) == [instance.url]
        })
      let opening = Array("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
      let slow = [UInt8](repeating: UInt8(ascii: "a"), count: 60)
      let attack = TrickleAttack(
        target: target, sources: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"],
        connections: 300, maximumOpened: 3_000, duration: 12, trickle: 1
      ) { _ in (opening[...], slow[...]) }
      defer { attack.stop() }

      var failures: [String] = []
      var slowest = 0.0
      while !attack.isDone {
        let started = Date()
        let health = await httpGet(port: instance.httpPort, path: "/api/system/health")
        let took = Date().timeIntervalSince(started)
        slowest = max(slowest, took)
        if health?.status != 200 || took > 2 {
          failures.append("GET health: \(String(describing: health)) in \(took) s")
        }
        let passing = await ExampleServiceTests.passingURLs(asSeenBy: instance.gossip)
        if passing != [instance.url] { failures.append("advertised: \(passing)") }
        guard instance.child.isRunning else { break }
        try await Task.sleep(for: .milliseconds(700))
      }
      let counts = attack.counts
      #expect(instance.child.isRunning, "\(instance.log.suffix(2_000))")
      #expect(failures.isEmpty, "during the attack: \(failures)")
      print(
        "slow-loris: \(counts.opened) connections opened, \(counts.closedByTarget) closed by the service; slowest /health \(String(format: "%.2f", slowest)) s"
      )
    }
  }
}
