import Foundation
import Rumor
import RumorCore
import RumorWire
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The path of `dig` (Debian `bind9-dnsutils`), nil when it is missing.
let digExecutable: URL? = ["/usr/bin/dig", "/bin/dig", "/usr/local/bin/dig"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }
  .map { URL(fileURLWithPath: $0) }

/// Runs `dig @127.0.0.1 -p PORT ARGUMENTS…` with a 2-second timeout and
/// one try, returning what it printed ("" if it did not finish in 10 s).
func dig(port: UInt16, _ arguments: [String]) async -> String {
  guard let digExecutable,
    let child = try? ChildProcess(
      digExecutable, ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1"] + arguments)
  else { return "" }
  await child.exit(within: 10)
  return child.log
}

/// The lines of `dig +short` output.
func digShort(port: UInt16, _ arguments: [String]) async -> [String] {
  await dig(port: port, arguments + ["+short"]).split(separator: "\n").map(String.init)
}

/// Says why a DNS test did nothing, when dig is missing.
func skipWithoutDig() -> Bool {
  guard digExecutable == nil else { return false }
  print("skipped: dig is not installed (apt-get install bind9-dnsutils)")
  return true
}

@Suite("DNS interface: rumor agent --dns asked with a real dig", .serialized)
struct DNSInterfaceTests {
  @Test(
    "A, SRV (both forms), node A, NXDOMAIN, empty AAAA, REFUSED, TCP, and the strategy's rotation")
  func answers() async throws {
    if skipWithoutDig() { return }
    let dnsPort = freePort()
    let first = try AgentProcess(
      name: "dns-a",
      arguments: [
        "--dns", "127.0.0.1:\(dnsPort)", "--tag", "svc.web=http://:8080", "--tag",
        "svc.api=http://10.9.8.7:9000",
      ])
    defer { first.stop(signal: SIGKILL) }
    let firstAddress = try #require(first.address)
    #expect(first.log.contains("answering DNS on 127.0.0.1:\(dnsPort)"))
    // The second instance on another loopback address: an embedded node
    // (AgentProcess binds 127.0.0.1).
    var configuration = NodeConfiguration(
      name: "dns-b", bind: NodeAddress(ipv4: 127, 0, 0, 2, port: 0))
    configuration.settings = SWIMSettings(profile: .local)
    configuration.tags = ["svc.web": "http://:8081"]
    let second = try RumorNode.start(configuration)
    defer { Task { await second.shutdown() } }
    _ = try await second.join(addresses: [firstAddress])
    #expect(
      await eventually(within: 20) {
        Set(await digShort(port: dnsPort, ["web.service.rumor", "A"]))
          == ["127.0.0.1", "127.0.0.2"]
      })

    let srv = Set(await digShort(port: dnsPort, ["_web._tcp.service.rumor", "SRV"]))
    #expect(srv == ["1 1 8080 dns-a.node.rumor.", "1 1 8081 dns-b.node.rumor."])
    let plainSRV = Set(await digShort(port: dnsPort, ["WEB.Service.Rumor", "SRV"]))
    #expect(plainSRV == srv)
    let full = await dig(port: dnsPort, ["web.service.rumor", "SRV"])
    #expect(full.contains("dns-b.node.rumor.\t0\tIN\tA\t127.0.0.2"), "\(full)")
    #expect(await digShort(port: dnsPort, ["dns-b.node.rumor"]) == ["127.0.0.2"])
    #expect(
      await digShort(port: dnsPort, ["api.service.rumor", "SRV"]) == [
        "1 1 9000 0a090807.addr.rumor."
      ])

    let missing = await dig(port: dnsPort, ["nope.service.rumor"])
    #expect(missing.contains("status: NXDOMAIN"), "\(missing)")
    #expect(missing.contains("rumor.\t\t\t0\tIN\tSOA\tns.rumor. hostmaster.rumor."), "\(missing)")
    let six = await dig(port: dnsPort, ["web.service.rumor", "AAAA"])
    #expect(six.contains("status: NOERROR") && six.contains("ANSWER: 0"), "\(six)")
    let other = await dig(port: dnsPort, ["example.com"])
    #expect(other.contains("status: REFUSED"), "\(other)")

    let tcp = await dig(port: dnsPort, ["+tcp", "web.service.rumor", "SRV"])
    #expect(tcp.contains("(TCP)") && tcp.contains("ANSWER: 2"), "\(tcp)")

    // Round robin: the first answer moves on with each query.
    var firsts: Set<String> = []
    for _ in 0..<4 {
      if let answer = await digShort(port: dnsPort, ["web.service.rumor"]).first {
        firsts.insert(answer)
      }
    }
    #expect(firsts == ["127.0.0.1", "127.0.0.2"])
  }

  @Test("an SRV answer over 512 bytes sets TC over UDP, and dig's retry over TCP gets it whole")
  func truncation() async throws {
    if skipWithoutDig() { return }
    let dnsPort = freePort()
    let agent = try AgentProcess(name: "dns-big", arguments: ["--dns", "127.0.0.1:\(dnsPort)"])
    defer { agent.stop(signal: SIGKILL) }
    let address = try #require(agent.address)
    var nodes: [RumorNode] = []
    for index in 1...16 {
      var configuration = NodeConfiguration(
        name: "big-instance-\(index)", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0))
      configuration.settings = SWIMSettings(profile: .local)
      configuration.tags = ["svc.big": "http://127.0.1.\(index):80"]
      let node = try RumorNode.start(configuration)
      nodes.append(node)
      _ = try await node.join(addresses: [address])
    }
    defer {
      for node in nodes { Task { await node.shutdown() } }
    }
    #expect(
      await eventually(within: 30) {
        await digShort(port: dnsPort, ["+tcp", "big.service.rumor"]).count == 16
      })
    let cut = await dig(port: dnsPort, ["+ignore", "+noedns", "big.service.rumor", "SRV"])
    #expect(cut.contains(" tc ") || cut.contains(" tc;"), "\(cut)")
    #expect(!cut.contains("ANSWER: 16"), "\(cut)")
    let retried = await dig(port: dnsPort, ["+noedns", "big.service.rumor", "SRV"])
    #expect(retried.contains("ANSWER: 16") && retried.contains("(TCP)"), "\(retried)")
    let edns = await dig(port: dnsPort, ["+bufsize=4096", "+ignore", "big.service.rumor", "SRV"])
    #expect(edns.contains("ANSWER: 16") && !edns.contains(" tc "), "\(edns)")
  }

  @Test("a flood of garbage datagrams and half-open TCP connections do not stop answers")
  func attack() async throws {
    if skipWithoutDig() { return }
    let dnsPort = freePort()
    let agent = try AgentProcess(
      name: "dns-target",
      arguments: ["--dns", "127.0.0.1:\(dnsPort)", "--tag", "svc.web=http://:80"])
    defer { agent.stop(signal: SIGKILL) }
    let target = NodeAddress(ipv4: 127, 0, 0, 1, port: dnsPort)
    #expect(
      await eventually(within: 10) {
        await digShort(port: dnsPort, ["web.service.rumor"]) == ["127.0.0.1"]
      })
    // Half-open TCP: connections that send nothing, or half a length
    // prefix, or promise 65,535 bytes and send 3, held open all along.
    var held: [AttackSocket] = []
    for index in 0..<100 {
      guard let socket = AttackSocket(to: target, from: "127.0.0.2") else { continue }
      switch index % 3 {
      case 0: break
      case 1: _ = socket.sendAll([0])
      default: _ = socket.sendAll([0xFF, 0xFF, 1, 2, 3])
      }
      held.append(socket)
    }
    defer { for socket in held { socket.close() } }
    // The flood: random bytes and mutated queries from 127.0.0.2, on a
    // dispatch thread, while dig asks.
    let flood = Task.detached { () -> Int in
      await offThePool { DNSFlood.send(to: target, seconds: 6) }
    }
    var failures: [String] = []
    var asked = 0
    let end = Date().addingTimeInterval(6)
    while Date() < end {
      let started = Date()
      // A flood can fill the socket's buffer, where the kernel drops a
      // query before the server sees it; a resolver asks again (dig's
      // default is three tries), and the answer must come within those.
      // dig prints a try that timed out (";; communications error …")
      // before the answer a later try got; only the answer counts.
      let answer = await digShort(port: dnsPort, ["+tries=3", "web.service.rumor"]).filter {
        !$0.hasPrefix(";;")
      }
      asked += 1
      let took = Date().timeIntervalSince(started)
      if answer != ["127.0.0.1"] || took > 6 {
        failures.append("\(answer) in \(String(format: "%.2f", took)) s")
      }
      let tcp = await dig(port: dnsPort, ["+tcp", "web.service.rumor"])
      if !tcp.contains("ANSWER: 1") { failures.append("TCP: \(tcp)") }
      try await Task.sleep(for: .milliseconds(300))
    }
    let sent = await flood.value
    #expect(agent.child.isRunning, "\(agent.log.suffix(2_000))")
    #expect(failures.isEmpty, "during the flood (\(asked) asked): \(failures)")
    #expect(await digShort(port: dnsPort, ["web.service.rumor"]) == ["127.0.0.1"])
    print("dns flood: \(sent) datagrams, 100 half-open connections; \(asked) dig queries answered")
  }
}

extension DNSInterfaceTests {
  @Test(
    "clients gone before their answer (ICMP port unreachable) neither make the server spin nor go deaf"
  )
  func vanishedClients() async throws {
    if skipWithoutDig() { return }
    let dnsPort = freePort()
    let agent = try AgentProcess(
      name: "dns-icmp", arguments: ["--dns", "127.0.0.1:\(dnsPort)", "--tag", "svc.web=http://:80"])
    defer { agent.stop(signal: SIGKILL) }
    #expect(
      await eventually(within: 10) {
        await digShort(port: dnsPort, ["web.service.rumor"]) == ["127.0.0.1"]
      })
    let query = DNSMessage(
      id: 7, questions: [DNSQuestion(name: DNSName("web.service.rumor.") ?? .root, type: .a)]
    ).encode()
    let target = NodeAddress(ipv4: 127, 0, 0, 1, port: dnsPort)
    await offThePool { DNSFlood.sendAndClose(query, to: target, times: 50) }
    try await Task.sleep(for: .milliseconds(500))
    let pid = agent.child.process.processIdentifier
    let before = cpuTicks(of: pid)
    try await Task.sleep(for: .seconds(2))
    let used = cpuTicks(of: pid) - before
    // An idle agent uses a tick or two in 2 s; a spinning loop, ~200.
    #expect(used < 40, "the agent used \(used) ticks of CPU in 2 s while idle")
    #expect(await digShort(port: dnsPort, ["web.service.rumor"]) == ["127.0.0.1"])
  }
}

/// User plus system CPU time of process `pid`, in clock ticks (1/100 s).
func cpuTicks(of pid: Int32) -> Int {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = stat.lastIndex(of: ")")
  else { return 0 }
  // Fields after the command's closing parenthesis: state is field 3;
  // utime and stime are fields 14 and 15.
  let fields = stat[stat.index(after: close)...].split(separator: " ")
  guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else {
    return 0
  }
  return user + system
}

/// Garbage for the DNS port.
enum DNSFlood {
  /// Sends `query` `times` times, each from a new socket on 127.0.0.2
  /// closed at once: each answer finds no one and comes back as an ICMP
  /// port unreachable.
  static func sendAndClose(_ query: [UInt8], to target: NodeAddress, times: Int) {
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = target.port.bigEndian
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    for _ in 0..<times {
      let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
      guard descriptor >= 0 else { continue }
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      local.sin_addr.s_addr = inet_addr("127.0.0.2")
      _ = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
      }
      _ = query.withUnsafeBytes { raw in
        withUnsafePointer(to: &remote) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(descriptor, raw.baseAddress, raw.count, 0, $0, length)
          }
        }
      }
      close(descriptor)
    }
  }

  /// Sends random datagrams and mutated queries to `target` from
  /// 127.0.0.2 for `seconds`; returns how many.
  static func send(to target: NodeAddress, seconds: Double) -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { return 0 }
    defer { close(descriptor) }
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr("127.0.0.2")
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = target.port.bigEndian
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    var random = SplitMix64(seed: 42)
    let query = Array(
      DNSMessage(
        id: 1, questions: [DNSQuestion(name: DNSName("web.service.rumor.") ?? .root, type: .srv)]
      ).encode())
    let end = Date().addingTimeInterval(seconds)
    var sent = 0
    while Date() < end, sent < 2_000_000 {
      var bytes: [UInt8]
      if sent % 2 == 0 {
        bytes = (0..<Int(random.next() % 600)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
      } else {
        bytes = query
        let index = Int(random.next() % UInt64(bytes.count))
        bytes[index] = UInt8(truncatingIfNeeded: random.next())
      }
      _ = bytes.withUnsafeBytes { raw in
        withUnsafePointer(to: &remote) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(descriptor, raw.baseAddress, raw.count, 0, $0, length)
          }
        }
      }
      sent += 1
    }
    return sent
  }
}
