import Foundation
import Rumor
import RumorCore
import RumorWire
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What every attack test holds the attacked agent to (docs/security.md).
enum AttackLimits {
  /// `rumor members --peer` must answer within this, during and after.
  static let answerTime: Duration = .seconds(2)
  /// The attacked agent's resident memory must stay below this. An idle
  /// debug-build agent holds about 20 MB; this leaves room for the bounded
  /// buffers (stream budget, decompression budget) but not for a node that
  /// keeps what an attacker sends.
  static let rssBoundKB = 160 * 1024
  /// The source address attacks are sent from, so that per-source limits
  /// see one attacker that is not a member.
  static let attackerHost = "127.0.0.2"
}

/// Two real agents on loopback, joined: the target, which is attacked,
/// and its peer, which must keep seeing the target alive.
final class AttackedCluster: Sendable {
  let target: AgentProcess
  let peer: AgentProcess
  let targetAddress: NodeAddress

  /// Starts the target (with `targetArguments`) and a peer that joins it,
  /// and waits until the peer sees the target.
  init(targetArguments: [String] = [], peerArguments: [String] = []) async throws {
    target = try AgentProcess(name: "target", arguments: targetArguments)
    guard let address = target.address else { throw AgentFailure("target has no address") }
    targetAddress = address
    peer = try AgentProcess(
      name: "peer", arguments: ["--join", address.description] + peerArguments)
    let peer = peer
    let joined = await eventually(within: 10) {
      (try? await peer.members())?.contains { $0.name == "target" && $0.state == .alive } == true
    }
    guard joined else {
      stop()
      throw AgentFailure("the peer did not see the target: \(peer.log)")
    }
  }

  /// Ends both agents (by PID).
  func stop() {
    target.stop(signal: SIGKILL)
    peer.stop(signal: SIGKILL)
  }

  /// The target's resident memory in KB (`VmRSS`), nil once it is gone.
  func targetRSS() -> Int? {
    let pid = target.child.process.processIdentifier
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    return line.split(separator: " ").compactMap { Int($0) }.first
  }

  /// How long the target took to answer a read-only members query (what
  /// `rumor members --peer` sends), nil if it did not answer within
  /// `AttackLimits.answerTime`.
  func answerTime() async -> Duration? {
    let clock = ContinuousClock()
    let start = clock.now
    guard
      let members = try? await PeerQuery.members(
        of: targetAddress, timeout: AttackLimits.answerTime),
      members.contains(where: { $0.name == "target" })
    else { return nil }
    let took = clock.now - start
    return took <= AttackLimits.answerTime ? took : nil
  }

  /// The target as its peer sees it.
  func targetSeenByPeer() async -> Member? {
    try? await peer.members().first { $0.name == "target" }
  }

  /// Runs `attack` on its own thread while asking the target every 250 ms;
  /// returns what was seen while it ran (and for `settle` after it).
  func observe(
    settle: Duration = .seconds(2), _ attack: @escaping @Sendable () -> Void
  ) async -> AttackObservation {
    let done = Atomic<Bool>(false)
    let thread = Thread {
      attack()
      done.store(true, ordering: .releasing)
    }
    thread.start()
    var observation = AttackObservation()
    let clock = ContinuousClock()
    var settleEnd: ContinuousClock.Instant?
    // Bounded: attacks stop themselves within their own time limit; a
    // minute is a safety net.
    let giveUp = clock.now + .seconds(60)
    while clock.now < giveUp {
      if done.load(ordering: .acquiring), settleEnd == nil { settleEnd = clock.now + settle }
      if let settleEnd, clock.now >= settleEnd { break }
      observation.queries += 1
      if let took = await answerTime() {
        observation.slowest = max(observation.slowest, took)
      } else {
        observation.unanswered += 1
      }
      if let rss = targetRSS() { observation.peakRSSKB = max(observation.peakRSSKB, rss) }
      try? await Task.sleep(for: .milliseconds(250))
    }
    observation.attackFinished = done.load(ordering: .acquiring)
    return observation
  }

  /// The checks every attack test makes once the attack is over: the
  /// target runs, answers in time, its peer sees it alive and never
  /// declared it failed, and its memory stayed bounded.
  func expectSurvived(
    _ observation: AttackObservation, sourceLocation: SourceLocation = #_sourceLocation
  )
    async
  {
    #expect(
      observation.attackFinished, "the attack did not finish in time",
      sourceLocation: sourceLocation)
    #expect(
      target.child.isRunning, "the target died: \(target.log.suffix(2000))",
      sourceLocation: sourceLocation)
    #expect(
      observation.unanswered == 0,
      "the target left \(observation.unanswered) of \(observation.queries) queries unanswered within 2 s during the attack",
      sourceLocation: sourceLocation)
    let after = await answerTime()
    #expect(
      after != nil, "the target did not answer within 2 s after the attack",
      sourceLocation: sourceLocation)
    // A suspicion that the target refutes in time is SWIM working; only a
    // failure is a lost node.
    var seen: Member?
    _ = await eventually(within: 5) {
      seen = await self.targetSeenByPeer()
      return seen?.state == .alive
    }
    #expect(
      seen?.state == .alive, "the peer sees the target as \(String(describing: seen?.state))",
      sourceLocation: sourceLocation)
    #expect(
      !peer.log.contains("failed target "), "the peer declared the target failed: \(peer.log)",
      sourceLocation: sourceLocation)
    let rss = max(observation.peakRSSKB, targetRSS() ?? 0)
    #expect(
      rss <= AttackLimits.rssBoundKB,
      "the target's RSS reached \(rss / 1024) MB (bound \(AttackLimits.rssBoundKB / 1024) MB)",
      sourceLocation: sourceLocation)
    print(
      "attack on target: \(observation.queries) queries, \(observation.unanswered) unanswered, slowest \(observation.slowest), peak RSS \(rss / 1024) MB, alive \(target.child.isRunning)"
    )
  }
}

/// What was seen while an attack ran.
struct AttackObservation {
  /// Queries asked and how many went unanswered within 2 s.
  var queries = 0
  var unanswered = 0
  /// The slowest answer.
  var slowest: Duration = .zero
  /// The target's highest resident memory seen, in KB.
  var peakRSSKB = 0
  /// Whether the attack thread ended before the observation did.
  var attackFinished = false
}

/// Raw sockets bound to the attacker's address (127.0.0.2).
enum AttackSender {
  private static func address(_ host: String, port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = port.bigEndian
    return address
  }

  private static func bindAndConnect(_ fd: Int32, to target: NodeAddress) -> Bool {
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    var source = address(AttackLimits.attackerHost, port: 0)
    var destination = address(target.host, port: target.port)
    let bound = withUnsafePointer(to: &source) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { return false }
    return withUnsafePointer(to: &destination) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
    } == 0
  }

  /// Sends each datagram in turn (cycling) until `count` are sent or
  /// `seconds` have passed; returns how many were sent.
  @discardableResult
  static func flood(
    _ datagrams: [[UInt8]], count: Int, seconds: Double, to target: NodeAddress,
    pause: useconds_t = 0
  ) -> Int {
    guard !datagrams.isEmpty else { return 0 }
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var size: Int32 = 1 << 20
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    guard bindAndConnect(fd, to: target) else { return 0 }
    let deadline = Date().addingTimeInterval(seconds)
    var sent = 0
    while sent < count, Date() < deadline {
      let datagram = datagrams[sent % datagrams.count]
      _ = datagram.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      sent += 1
      if pause > 0 { usleep(pause) }
    }
    return sent
  }

  /// Opens a TCP connection from the attacker's address, writes `bytes`
  /// (within `seconds`), reads what comes back until the target closes or
  /// time is up, then closes. Returns how many bytes were written.
  @discardableResult
  static func stream(_ bytes: [UInt8], seconds: Double, to target: NodeAddress) -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    guard bindAndConnect(fd, to: target) else { return 0 }
    let deadline = Date().addingTimeInterval(seconds)
    var written = 0
    while written < bytes.count, Date() < deadline {
      let count = bytes[written...].withUnsafeBytes {
        send(fd, $0.baseAddress, min($0.count, 65_536), Int32(MSG_NOSIGNAL))
      }
      if count > 0 {
        written += count
      } else if count < 0, errno != EAGAIN, errno != EINTR {
        break
      }
    }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while Date() < deadline {
      let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count == 0 { break }
      if count < 0, errno != EAGAIN, errno != EINTR { break }
    }
    return written
  }
}

/// Building blocks of attack packets, made with RumorWire's encoders.
enum AttackPackets {
  /// Whether every message `datagram` decodes to names only loopback
  /// addresses, so that the target never sends outside 127.0.0.0/8.
  static func staysOnLoopback(_ datagram: [UInt8]) -> Bool {
    func loopback(_ ip: [UInt8]) -> Bool { ip.isEmpty || (ip.count == 4 && ip[0] == 127) }
    return PacketCodec().decode(datagram).messages.allSatisfy { decoded in
      switch decoded.message {
      case .ping(let ping): loopback(ping.sourceAddr)
      case .indirectPing(let request): loopback(request.target) && loopback(request.sourceAddr)
      case .alive(let alive): loopback(alive.addr)
      default: true
      }
    }
  }

  /// An alive for a made-up member at 127.0.0.3.
  static func alive(_ name: String, incarnation: UInt32 = 1, meta: [UInt8] = []) -> Alive {
    Alive(
      incarnation: incarnation, node: name, addr: [127, 0, 0, 3], port: 9,
      meta: meta, vsn: ProtocolVersions.rumor.bytes)
  }

  /// A sample of valid packets of every kind a peer sends over UDP.
  static func validSamples() -> [[UInt8]] {
    var samples: [[UInt8]] = []
    let source: [UInt8] = [127, 0, 0, 2]
    samples.append(
      Message.ping(
        Ping(seqNo: 7, node: "target", sourceAddr: source, sourcePort: 9, sourceNode: "evil")
      ).encoded())
    samples.append(Message.alive(alive("fake-0", meta: Array("tags".utf8))).encoded())
    samples.append(Message.suspect(Suspect(incarnation: 1, node: "peer", from: "evil")).encoded())
    samples.append(Message.dead(Dead(incarnation: 1, node: "fake-0", from: "evil")).encoded())
    samples.append(Message.ack(Ack(seqNo: 3, payload: [1, 2, 3])).encoded())
    samples.append(Message.user(UserMessage(payload: [0x01, 0x02])).encoded())
    if let compound = try? Compound.encode(samples) { samples.append(compound) }
    samples.append(Compression.wrap(samples[samples.count - 1]))
    samples.append(CRC32.wrap(samples[0]))
    return samples
  }

  /// Changes `datagram` in one random way: a flipped bit, an interesting
  /// byte, a cut, an insertion or a repeated slice.
  static func mutate(_ datagram: inout [UInt8], using random: inout SplitMix64) {
    let interesting: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xc0, 0xcd, 0xce, 0xd9, 0xdb, 0xdf, 0xff]
    guard !datagram.isEmpty else {
      datagram = [interesting[random.below(interesting.count)]]
      return
    }
    let position = random.below(datagram.count)
    switch random.below(5) {
    case 0: datagram[position] ^= UInt8(1) << UInt8(random.below(8))
    case 1: datagram[position] = interesting[random.below(interesting.count)]
    case 2: datagram.removeSubrange(position...)
    case 3:
      let extra = (0...random.below(16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      datagram.insert(contentsOf: extra, at: position)
    default:
      let end = min(datagram.count, position + 1 + random.below(64))
      datagram.insert(contentsOf: datagram[position..<end], at: position)
    }
  }

  /// One datagram of compounds nested two deep, each inner one holding
  /// 255 empty user messages: about 21,000 messages in 65 KB.
  static func nestedCompound(maximumSize: Int) throws -> [UInt8] {
    let empty = Message.user(UserMessage(payload: [])).encoded()
    let inner = try Compound.encode(Array(repeating: empty, count: Compound.maximumParts))
    let fitting = (maximumSize - Compound.headerSize) / (inner.count + Compound.perPartOverhead)
    return try Compound.encode(Array(repeating: inner, count: min(fitting, Compound.maximumParts)))
  }

  /// One datagram holding as many compress envelopes as fit, each
  /// inflating to 8 MiB of zeros.
  static func lzwBomb(maximumSize: Int) throws -> [UInt8] {
    let envelope = Compression.wrap([UInt8](repeating: 0, count: 8 << 20))
    let fitting = (maximumSize - Compound.headerSize) / (envelope.count + Compound.perPartOverhead)
    return try Compound.encode(
      Array(repeating: envelope, count: min(fitting, Compound.maximumParts)))
  }
}
