import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension TransportAttackTests {
  /// Hundreds of TCP connections that promise large streams and trickle
  /// them must not stall, bloat or isolate a node.
  @Suite("Inbound stream attacks")
  struct InboundStreamAttackTests {
    /// The most the attacked agent's resident set may reach (a debug build
    /// idles at about 25 MiB; `InboundLimits.budget` is 64 MiB).
    static let residentLimitKiB = 160 << 10

    @Test(
      "300 connections promising 20 MiB streams and trickling them: the agent answers in 2 s, stays small, and its peer never fails it"
    )
    func tricklingStreams() async throws {
      let target = try AgentProcess(name: "trickle-target")
      defer { target.stop(signal: SIGKILL) }
      let address = try #require(target.address)
      let peer = try AgentProcess(name: "trickle-peer", arguments: ["--join", address.description])
      defer { peer.stop(signal: SIGKILL) }
      #expect(
        await eventually(within: 10) {
          (try? await target.members().filter { $0.state == .alive }.count) == 2
        })

      // Three kinds of opening, in turn: a push-pull that announces 20 MiB
      // of user state; one that announces 100,000 members and sends 1 MiB
      // of them at once; and nothing at all. Then a byte every 100 ms.
      let states = fakePushPull(members: 60_000, join: false, prefix: "trickle")
      let header = fakePushPull(members: 0, join: false, announcedStates: 60_000)
      let body = states[header.count...]
      let promise = fakePushPull(
        members: 0, join: false, announcedStates: 100_000, userState: 20 << 20)
      let many = fakePushPull(members: 0, join: false, announcedStates: 100_000)
      let attack = TrickleAttack(
        target: address, sources: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"],
        connections: 300, maximumOpened: 6_000, duration: 10
      ) { number in
        switch number % 3 {
        case 0: return (promise[...] + body.prefix(1_000_000), body.dropFirst(1_000_000))
        case 1: return (many[...] + body.prefix(1 << 20), body.dropFirst(1 << 20))
        default: return ([], many[...])
        }
      }
      defer { attack.stop() }

      var slowest = 0.0
      var largest = 0
      var failures: [String] = []
      while !attack.isDone {
        let answer = try await rumorMembers(peer: address)
        slowest = max(slowest, answer.seconds)
        if !answer.ok || answer.seconds > TransportAttackTests.commandLimit {
          failures.append(
            "\(String(format: "%.2f", answer.seconds)) s: \(answer.output.prefix(200))")
        }
        largest = max(largest, residentKiB(of: target.child.process.processIdentifier) ?? 0)
        guard target.child.isRunning else { break }
        try await Task.sleep(for: .milliseconds(500))
      }
      let counts = attack.counts
      #expect(target.child.isRunning, "the agent died: \(target.log.suffix(2_000))")
      #expect(failures.isEmpty, "members --peer during the attack: \(failures)")
      #expect(largest < Self.residentLimitKiB, "VmRSS reached \(largest) KiB")
      let after = try await rumorMembers(peer: address)
      #expect(
        after.ok && after.seconds < TransportAttackTests.commandLimit, "after the attack: \(after)")
      #expect(!peer.log.contains("failed trickle-target"), "\(peer.log)")
      let suspicions = peer.log.components(separatedBy: "suspect trickle-target").count - 1
      print(
        "trickle attack: \(counts.opened) connections opened, \(counts.closedByTarget) closed by the agent; slowest members --peer \(String(format: "%.2f", slowest)) s; VmRSS at most \(largest) KiB; the peer suspected the agent \(suspicions) times"
      )
    }
  }
}
