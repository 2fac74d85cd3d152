import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension TransportAttackTests {
  /// A peer that asks for a large reply and resets (or closes) the
  /// connection before reading it must not kill the process with SIGPIPE:
  /// every socket write in the library uses `send(..., MSG_NOSIGNAL)`.
  @Suite("Resets during a large reply")
  struct ResetDuringReplyTests {
    @Test(
      "an agent holding hundreds of members lives through 60 push-pulls reset before the reply")
    func agentSurvivesResets() async throws {
      let agent = try AgentProcess(name: "reset-target")
      defer { agent.stop(signal: SIGKILL) }
      let address = try #require(agent.address)

      // Three hundred members with 500 bytes of metadata each make a
      // push-pull reply of about 160 KB; the requests below ask for small
      // segments, which keeps the agent's send buffer small, so that it
      // writes the reply in many calls.
      let join = try #require(AttackSocket(to: address))
      #expect(join.sendAll(fakePushPull(members: 300, join: true, metaBytes: 500)))
      _ = await offThePool { join.readAll(seconds: 30) }
      join.close()
      #expect(
        await eventually(within: 60) { (try? await agent.members().count) == 301 },
        "\(agent.log.suffix(1_000))")
      let request = fakePushPull(members: 0, join: false)
      let whole = try #require(AttackSocket(to: address))
      #expect(whole.sendAll(request))
      let reply = await offThePool { whole.readAll(seconds: 10) }
      whole.close()
      #expect(reply.count > 100_000, "the reply has \(reply.count) bytes")

      // Ask for the whole state, then end the connection before reading:
      // half with a reset at once, half once the reply has started (the
      // agent's next write meets the reset).
      let asked = await offThePool {
        var asked = 0
        for round in 0..<60 {
          guard agent.child.isRunning else { break }
          guard let socket = AttackSocket(to: address, segmentSize: 536) else { continue }
          _ = socket.sendAll(request)
          asked += 1
          if round % 2 == 0 {
            socket.reset()
          } else {
            socket.abandonAfterFirstBytes()
          }
          if round % 10 == 9 { usleep(20_000) }
        }
        return asked
      }
      try await Task.sleep(for: .milliseconds(300))
      #expect(
        agent.child.isRunning,
        "the agent died after \(asked) requests: status \(agent.child.process.terminationStatus), reason \(agent.child.process.terminationReason.rawValue)"
      )
      var members = try await rumorMembers(peer: address)
      for _ in 0..<10 where !members.ok {
        // Refused while the last requests' slots were still held.
        try await Task.sleep(for: .milliseconds(500))
        members = try await rumorMembers(peer: address)
      }
      #expect(members.ok && members.seconds < TransportAttackTests.commandLimit + 2, "\(members)")
      #expect(members.output.contains("\"fake-299\""))
    }
  }

  @Suite("Resets during a large HTTP reply")
  struct HTTPResetDuringReplyTests {
    @Test("the example service lives through 60 large replies reset before they are read")
    func exampleServiceSurvivesResets() async throws {
      let instance = try ExampleInstance(name: "reset-http")
      defer { instance.child.stop(signal: SIGKILL) }
      let target = NodeAddress(ipv4: 127, 0, 0, 1, port: instance.httpPort)
      // An unknown path is echoed in the 404's JSON, each quote as a
      // two-byte escape: a 60 KB path of quotes (visible ASCII, which the
      // strict parser takes; control bytes it refuses) makes a reply of
      // about 120 KB. Small segments keep the service's send buffer small,
      // so that it writes the reply in many calls.
      let request =
        Array("GET /".utf8) + [UInt8](repeating: UInt8(ascii: "\""), count: 60_000)
        + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
      let probe = try #require(AttackSocket(to: target))
      #expect(probe.sendAll(request))
      let reply = await offThePool { probe.readAll(seconds: 5) }
      probe.close()
      #expect(reply.count > 100_000, "the reply has \(reply.count) bytes")
      await offThePool {
        for round in 0..<60 {
          guard instance.child.isRunning else { break }
          guard let socket = AttackSocket(to: target, segmentSize: 536) else { continue }
          _ = socket.sendAll(request)
          if round % 2 == 0 {
            socket.reset()
          } else {
            socket.abandonAfterFirstBytes()
          }
          if round % 10 == 9 { usleep(20_000) }
        }
      }
      try await Task.sleep(for: .milliseconds(300))
      #expect(
        instance.child.isRunning,
        "the service died: status \(instance.child.process.terminationStatus), reason \(instance.child.process.terminationReason.rawValue)"
      )
      // Each of those requests costs the handler a 120 KB JSON encoding, so
      // the server may still be working through them.
      #expect(
        await eventually(within: 20) {
          await httpGet(port: instance.httpPort, path: "/api/system/health")?.status == 200
        })
      #expect(
        instance.child.isRunning,
        "the service died: status \(instance.child.process.terminationStatus), reason \(instance.child.process.terminationReason.rawValue)"
      )
    }
  }
}
