import Foundation
import Rumor
import RumorCore
import RumorWire
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

extension TransportAttackTests {
  /// Real agents on loopback, one of them attacked from 127.0.0.2. Each test
  /// holds the target to `AttackedCluster.expectSurvived`: alive, answering
  /// `rumor members --peer` within 2 s during and after the attack, not
  /// declared failed by its peer, and under `AttackLimits.rssBoundKB`
  /// (docs/security.md lists the attacks and the limits that stop them).
  @Suite("Attacks on a live agent", .serialized)
  struct AttackTests {
    @Test("a flood of random datagrams")
    func randomDatagramFlood() async throws {
      var random = SplitMix64(seed: 11)
      var datagrams: [[UInt8]] = []
      while datagrams.count < 2_000 {
        let length = 1 + random.below(1_400)
        let datagram = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        if AttackPackets.staysOnLoopback(datagram) { datagrams.append(datagram) }
      }
      let flood = datagrams
      let cluster = try await AttackedCluster()
      defer { cluster.stop() }
      let target = cluster.targetAddress
      let observation = await cluster.observe {
        AttackSender.flood(flood, count: 40_000, seconds: 4, to: target)
      }
      await cluster.expectSurvived(observation)
    }

    @Test("a flood of mutated valid datagrams and made-up members")
    func mutatedDatagramFlood() async throws {
      var random = SplitMix64(seed: 12)
      let samples = AttackPackets.validSamples()
      var mutants: [[UInt8]] = []
      var attempts = 0
      // Byte-level mutants of every kind of packet…
      while mutants.count < 4_000, attempts < 100_000 {
        attempts += 1
        var datagram = samples[random.below(samples.count)]
        for _ in 0...random.below(4) {
          AttackPackets.mutate(&datagram, using: &random)
        }
        if !datagram.isEmpty, datagram.count < 65_000, AttackPackets.staysOnLoopback(datagram) {
          mutants.append(datagram)
        }
      }
      // …then alives whose name field was replaced by a fresh one, packed
      // into nested compounds: 10 datagrams of about 800 made-up members (a
      // node takes at most 512 messages from one). More would test how fast
      // a debug build answers a query of 10,000 members, not the attack.
      var members: [[UInt8]] = []
      for _ in 0..<10 {
        var inner: [[UInt8]] = []
        var size = Compound.headerSize
        while inner.count < 8 {
          let part = try Compound.encode(
            (0..<100).map { _ in
              Message.alive(AttackPackets.alive("fake-\(random.next() % 1_000_000_000)")).encoded()
            })
          guard size + part.count + Compound.perPartOverhead < 64_000 else { break }
          size += part.count + Compound.perPartOverhead
          inner.append(part)
        }
        members.append(try Compound.encode(inner))
      }
      #expect(members.allSatisfy { $0.count < 64_000 })
      let madeUp = members
      let flood = mutants
      let cluster = try await AttackedCluster()
      defer { cluster.stop() }
      let target = cluster.targetAddress
      let observation = await cluster.observe {
        AttackSender.flood(flood, count: flood.count, seconds: 2, to: target, pause: 100)
        AttackSender.flood(madeUp, count: madeUp.count, seconds: 4, to: target, pause: 150_000)
      }
      await cluster.expectSurvived(observation)
      let known = (try? await PeerQuery.members(of: target, timeout: .seconds(10)))?.count ?? 0
      print("after the mutated flood the target knows \(known) members")
    }

    @Test("nested compounds holding thousands of empty user messages in one datagram")
    func nestedCompoundAmplifier() async throws {
      let datagram = try AttackPackets.nestedCompound(maximumSize: 65_000)
      #expect(datagram.count > 60_000)
      // Two levels of compounds of up to 255 parts: over 20,000 messages.
      #expect(datagram.count / 3 > 20_000)
      let cluster = try await AttackedCluster()
      defer { cluster.stop() }
      let target = cluster.targetAddress
      let observation = await cluster.observe {
        AttackSender.flood([datagram], count: 40, seconds: 4, to: target, pause: 50_000)
      }
      await cluster.expectSurvived(observation)
    }

    @Test("a push-pull of 200,000 made-up members over TCP")
    func hugePushPull() async throws {
      let count = 200_000
      var writer = PushPullWriter(join: false, stateCount: count, userStateCount: 0)
      let address = NodeAddress(ipv4: 127, 0, 0, 3, port: 9)
      for index in 0..<count {
        writer.appendState(
          name: "fake-\(index)", address: address, meta: [], incarnation: 1, state: .alive,
          versions: .rumor)
      }
      // Compressed, as memberlist sends streams: ~8 MB of states in ~1 MB.
      let stream = try StreamCodec().encode(
        encoded: writer.finish(userState: []), includeLabel: false)
      let cluster = try await AttackedCluster()
      defer { cluster.stop() }
      let target = cluster.targetAddress
      let observation = await cluster.observe(settle: .seconds(4)) {
        AttackSender.stream(stream, seconds: 5, to: target)
      }
      await cluster.expectSurvived(observation)
      let known = (try? await PeerQuery.members(of: target, timeout: .seconds(10)))?.count ?? 0
      print("after the 200,000-member push-pull the target knows \(known) members")
    }

    @Test("an LZW bomb: compressed messages that inflate to hundreds of MiB per datagram")
    func lzwBomb() async throws {
      let datagram = try AttackPackets.lzwBomb(maximumSize: 65_000)
      let clock = ContinuousClock()
      let start = clock.now
      let decoded = PacketCodec().decode(datagram)
      print(
        "LZW bomb: \(datagram.count) bytes, local decode \(clock.now - start), \(decoded.errors.count) errors: \(decoded.errors.prefix(3))"
      )
      let cluster = try await AttackedCluster()
      defer { cluster.stop() }
      let target = cluster.targetAddress
      let observation = await cluster.observe {
        AttackSender.flood([datagram], count: 40, seconds: 4, to: target, pause: 50_000)
      }
      await cluster.expectSurvived(observation)
    }

    /// Whether the test's backend answers 200.
    final class Backend: Sendable {
      let healthy = Atomic<Bool>(true)
    }

    @Test(
      "an alive about the target at incarnation 0xFFFFFFFF with other tags does not freeze its tags"
    )
    func incarnationHijack() async throws {
      let backend = Backend()
      let server = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
        backend.healthy.load(ordering: .acquiring)
          ? HTTPResponse(body: "ok") : HTTPResponse(status: 500)
      }
      defer { server.stop() }
      let file = FileManager.default.temporaryDirectory
        .appendingPathComponent("rumor-attack-\(UUID().uuidString).yml").path
      try """
      deployment:
        mode: local
      advertise:
        backend:
          url: http://:\(server.address.port)/
          check:
            interval: 300ms
            timeout: 250ms
            failures_before_critical: 1
      """.write(toFile: file, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(atPath: file) }
      let cluster = try await AttackedCluster(targetArguments: ["--config", file])
      defer { cluster.stop() }
      func peerTags() async -> [String: String] {
        guard let member = await cluster.targetSeenByPeer() else { return [:] }
        return (try? SerfTags.decode(member.meta)) ?? [:]
      }
      let passing = await eventually(within: 10) {
        await peerTags()["svc.backend"] != nil
      }
      let before = await peerTags()
      #expect(passing, "\(before)")

      let target = cluster.targetAddress
      let peer = try #require(cluster.peer.address)
      let hijack = try Message.alive(
        Alive(
          incarnation: .max, node: "target", addr: target.ipBytes, port: target.port,
          meta: SerfTags.encode(["role": "hijacked"]), vsn: ProtocolVersions.rumor.bytes)
      ).encoded()
      let observation = await cluster.observe {
        AttackSender.flood([hijack], count: 3, seconds: 1, to: target, pause: 100_000)
        AttackSender.flood([hijack], count: 3, seconds: 1, to: peer, pause: 100_000)
      }
      await cluster.expectSurvived(observation)
      // The target refutes: the peer ends up with the target's own tags.
      let refuted = await eventually(within: 10) { await peerTags()["role"] == nil }
      let afterHijack = await peerTags()
      #expect(refuted, "the peer keeps the hijacker's tags: \(afterHijack)")
      // And the target's own later change still reaches the peer.
      backend.healthy.store(false, ordering: .releasing)
      let changed = await eventually(within: 10) {
        await peerTags().values.contains("critical")
      }
      let afterChange = await peerTags()
      #expect(changed, "the target's tag change did not reach the peer: \(afterChange)")
    }
  }
}
