import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A peer that asks for a large reply and resets (or closes) the
/// connection before reading it must not kill the process with SIGPIPE:
/// every socket write in the library uses `send(..., MSG_NOSIGNAL)`.
@Suite("Resets during a large reply", .serialized)
struct ResetDuringReplyTests {
  @Test("an agent holding thousands of members lives through 200 push-pulls reset before the reply")
  func agentSurvivesResets() async throws {
    let agent = try AgentProcess(name: "reset-target")
    defer { agent.stop(signal: SIGKILL) }
    let address = try #require(agent.address)

    // Two thousand members with 500 bytes of metadata each make the
    // push-pull reply (about 1.2 MB) far larger than what one write
    // takes, so the agent writes it in several calls.
    let join = try #require(AttackSocket(to: address))
    #expect(join.sendAll(fakePushPull(members: 2_000, join: true, metaBytes: 500)))
    _ = join.readAll(seconds: 30)
    join.close()
    #expect(
      await eventually(within: 60) { (try? await agent.members().count) == 2_001 },
      "\(agent.log.suffix(1_000))")
    let request = fakePushPull(members: 0, join: false)
    let whole = try #require(AttackSocket(to: address))
    #expect(whole.sendAll(request))
    let reply = whole.readAll(seconds: 10)
    whole.close()
    #expect(reply.count > 1_000_000, "the reply has \(reply.count) bytes")

    // Ask for the whole state, then end the connection before reading:
    // half with a reset, half with a close (the reset then comes when the
    // reply arrives, and the agent's next write meets it).
    var asked = 0
    for round in 0..<200 {
      guard agent.child.isRunning else { break }
      guard let socket = AttackSocket(to: address) else { continue }
      _ = socket.sendAll(request)
      asked += 1
      if round % 2 == 0 {
        socket.reset()
      } else {
        socket.close()
      }
      if round % 10 == 9 { usleep(20_000) }
    }
    usleep(300_000)
    #expect(
      agent.child.isRunning,
      "the agent died after \(asked) requests: status \(agent.child.process.terminationStatus), reason \(agent.child.process.terminationReason.rawValue)"
    )
    var members = try rumorMembers(peer: address)
    for _ in 0..<10 where !members.ok {
      // Refused while the last requests' slots were still held.
      usleep(500_000)
      members = try rumorMembers(peer: address)
    }
    #expect(members.ok && members.seconds < InboundStreamAttackTests.commandLimit + 2, "\(members)")
    #expect(members.output.contains("\"fake-1999\""))
  }
}

@Suite("Resets during a large HTTP reply", .serialized)
struct HTTPResetDuringReplyTests {
  @Test("the example service lives through 200 large replies reset before they are read")
  func exampleServiceSurvivesResets() async throws {
    let instance = try ExampleInstance(name: "reset-http")
    defer { instance.child.stop(signal: SIGKILL) }
    let target = NodeAddress(ipv4: 127, 0, 0, 1, port: instance.httpPort)
    // An unknown path is echoed in the 404's JSON, each control byte as a
    // six-byte escape: a 60 KB path makes a reply of about 360 KB.
    let request =
      Array("GET /".utf8) + [UInt8](repeating: 1, count: 60_000)
      + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
    let probe = try #require(AttackSocket(to: target))
    #expect(probe.sendAll(request))
    let reply = probe.readAll(seconds: 5)
    probe.close()
    #expect(reply.count > 300_000, "the reply has \(reply.count) bytes")
    for round in 0..<200 {
      guard instance.child.isRunning else { break }
      guard let socket = AttackSocket(to: target) else { continue }
      _ = socket.sendAll(request)
      if round % 2 == 0 {
        socket.reset()
      } else {
        socket.close()
      }
      if round % 10 == 9 { usleep(20_000) }
    }
    usleep(300_000)
    #expect(
      instance.child.isRunning,
      "the service died: status \(instance.child.process.terminationStatus), reason \(instance.child.process.terminationReason.rawValue)"
    )
    // Each of those requests costs the handler a 360 KB JSON encoding, so
    // the server may still be working through them.
    #expect(
      await eventually(within: 20) {
        await httpGet(port: instance.httpPort, path: "/api/system/health")?.status == 200
      })
  }
}
