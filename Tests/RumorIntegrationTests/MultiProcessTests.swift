import Foundation
import Rumor
import RumorCore
import RumorWire
import Testing

#if canImport(Glibc)
  import Glibc
#endif

// Heavy on two cores (eight agents, or a browser): run one at a time
// with the other process-heavy suites, so that their timing bounds hold.
extension TransportAttackTests {
  @Suite("rumor agent processes on loopback", .serialized)
  struct MultiProcessTests {
    /// Local profile, 8 members: the first probe of a member comes within
    /// 2n − 1 probe intervals (round-robin), the suspicion lasts at most
    /// 6 × 3 × max(1, log10 8) s, and the news then spreads in a second.
    static let detectionBound = Double(2 * 8 - 1) * 1.0 + 18.0 + 2.0

    @Test(
      "eight agents converge, a kill -9 is marked failed everywhere in time, and a restart rejoins with a higher incarnation"
    )
    func convergeKillRestart() async throws {
      var agents: [AgentProcess] = []
      defer { for agent in agents { agent.stop(signal: SIGKILL) } }
      agents.append(try AgentProcess(name: "a0"))
      let seed = try #require(agents[0].address)
      for index in 1..<8 {
        agents.append(try AgentProcess(name: "a\(index)", arguments: ["--join", seed.description]))
      }
      let converged = await eventually(within: 20) {
        for agent in agents {
          guard let view = try? await agent.members(),
            view.filter({ $0.state == .alive }).count == 8
          else { return false }
        }
        return true
      }
      #expect(converged, "logs: \(agents.map(\.log))")

      let victim = agents[3]
      let victimPort = try #require(victim.address?.port)
      victim.stop(signal: SIGKILL)
      let survivors = agents.filter { $0 !== victim }
      let killed = Date()
      let detected = await eventually(within: Self.detectionBound) {
        for agent in survivors {
          guard let view = try? await agent.members(),
            view.first(where: { $0.name == victim.name })?.state == .dead
          else { return false }
        }
        return true
      }
      #expect(
        detected, "not every survivor marked \(victim.name) failed within \(Self.detectionBound) s")
      let elapsed = Date().timeIntervalSince(killed)
      #expect(elapsed <= Self.detectionBound)

      let restarted = try AgentProcess(
        name: victim.name, port: victimPort, arguments: ["--join", seed.description])
      agents.append(restarted)
      let rejoined = await eventually(within: 20) {
        for agent in survivors {
          guard let view = try? await agent.members(),
            let member = view.first(where: { $0.name == victim.name }),
            member.state == .alive, member.incarnation > 1
          else { return false }
        }
        return true
      }
      #expect(
        rejoined,
        "restarted \(victim.name) not seen alive with a higher incarnation: \(restarted.log)")
    }

    @Test(
      "ten thousand random datagrams at one agent neither crash it nor change the cluster's view")
    func junkDatagrams() async throws {
      var agents: [AgentProcess] = []
      defer { for agent in agents { agent.stop(signal: SIGKILL) } }
      agents.append(try AgentProcess(name: "j0"))
      let target = try #require(agents[0].address)
      for index in 1..<3 {
        agents.append(
          try AgentProcess(name: "j\(index)", arguments: ["--join", target.description]))
      }
      #expect(
        await eventually(within: 20) {
          (try? await agents[0].members())?.filter { $0.state == .alive }.count == 3
        })

      let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
      defer { close(socket) }
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = target.port.bigEndian
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      var generator = SeededGenerator(seed: 42)
      let valid = Message.ping(Ping(seqNo: 1, node: "j0")).encoded()
      for index in 0..<10_000 {
        var datagram: [UInt8]
        if index % 3 == 0 {
          // A valid message with bytes flipped: gets past the first checks.
          datagram = valid
          for _ in 0..<3 {
            datagram[Int.random(in: 0..<datagram.count, using: &generator)] ^= UInt8.random(
              in: 1...255, using: &generator)
          }
        } else {
          datagram = (0..<Int.random(in: 0...1_400, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
          }
        }
        _ = datagram.withUnsafeBytes { raw in
          withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
              sendto(
                socket, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)
              )
            }
          }
        }
        if index % 500 == 0 { usleep(2_000) }  // do not overflow the socket buffer outright
      }
      try await Task.sleep(for: .seconds(2))
      #expect(agents[0].child.isRunning, "the agent died: \(agents[0].log)")
      let stillWhole = await eventually(within: 10) {
        for agent in agents {
          guard let view = try? await agent.members(),
            view.filter({ $0.state == .alive }).count == 3
          else { return false }
        }
        return true
      }
      #expect(stillWhole)
    }
  }
}

/// SplitMix64, so that the junk is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
