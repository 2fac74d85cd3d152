import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension TransportAttackTests {
  /// Clients that fill the agent API's connection slots, trickle their
  /// headers or send oversized ones must not keep other clients out, nor
  /// touch the agent's gossip.
  @Suite("Slow and oversized clients against the agent's HTTP API")
  struct AgentAPIAttackTests {
    @Test(
      "400 trickling connections and oversized heads: the API answers in 2 s, gossip carries on"
    )
    func slowAndOversized() async throws {
      guard curlExecutable != nil else {
        print("skipped: curl is not installed")
        return
      }
      let target = try AgentProcess(name: "api-target", arguments: ["--http", "127.0.0.1:0"])
      defer { target.stop(signal: SIGKILL) }
      let peer = try AgentProcess(
        name: "api-peer", arguments: ["--join", target.address?.description ?? ""])
      defer { peer.stop(signal: SIGKILL) }
      guard let api = target.httpAddress, let gossip = target.address else {
        Issue.record("no addresses: \(target.log)")
        return
      }
      let opening = Array("GET /v1/members HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
      let slow = [UInt8](repeating: UInt8(ascii: "a"), count: 60)
      let attack = TrickleAttack(
        target: api, sources: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"],
        connections: 400, maximumOpened: 4_000, duration: 10, trickle: 1
      ) { _ in (opening[...], slow[...]) }
      defer { attack.stop() }
      // Heads over the 16 KiB limit, sent whole, one connection after another.
      let oversized = Task.detached { () -> Int in
        let head = Array(
          ("GET /v1/members HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 20_000)
            + "\r\n\r\n").utf8)
        var refused = 0
        for _ in 0..<50 {
          guard let socket = AttackSocket(to: api, from: "127.0.0.6") else { continue }
          _ = socket.sendAll(head)
          if String(decoding: socket.readAll(seconds: 2), as: UTF8.self).hasPrefix("HTTP/1.1 431") {
            refused += 1
          }
          socket.close()
        }
        return refused
      }

      var failures: [String] = []
      var slowest = 0.0
      while !attack.isDone {
        let started = Date()
        let reply = try? await curl(["http://\(api)/v1/members"], within: 5)
        let took = Date().timeIntervalSince(started)
        slowest = max(slowest, took)
        if reply?.status != 200 || took > 2 {
          failures.append("GET /v1/members: \(reply?.status ?? 0) in \(took) s")
        }
        let gossiped = try await rumorMembers(peer: gossip)
        if !gossiped.ok { failures.append("rumor members --peer: \(gossiped.output)") }
        guard target.child.isRunning else { break }
        try await Task.sleep(for: .milliseconds(700))
      }
      let refusedOversized = await oversized.value
      #expect(target.child.isRunning, "\(target.log.suffix(2_000))")
      #expect(failures.isEmpty, "during the attack: \(failures)")
      #expect(refusedOversized >= 45, "oversized heads answered 431: \(refusedOversized) of 50")
      // The peer still sees the target alive: its gossip never stalled.
      let seen = try await peer.members()
      #expect(seen.first { $0.name == "api-target" }?.state == .alive)
      let agent = try await curl(["http://\(api)/v1/agent"])
      let http = agent.json?["http"]
      #expect(http?["malformed"] != .integer(0), "\(agent.body)")
      print(
        "agent API attack: \(attack.counts.opened) trickling connections opened, \(attack.counts.closedByTarget) closed by the agent; slowest GET \(String(format: "%.2f", slowest)) s; server counters \(http?.text ?? "-")"
      )
    }
  }
}
