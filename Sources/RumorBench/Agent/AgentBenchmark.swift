import CommandLineSupport
import Foundation
import Rumor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `rumor-bench agent`: what a resolve costs a process that asks the local
/// agent (issue 12): over HTTP with keep-alive, over DNS, next to a Redis
/// GET in the same run and to starting one `rumor resolve` process.
///
/// In one process: a node advertising `bench` with the agent's HTTP API
/// and DNS interface over it, on loopback; the clients are plain sockets
/// with each call timed alone.
enum AgentBenchmark {
  static let usage = """
    Usage: rumor-bench agent [--calls N] [--processes N] [--rumor PATH] [--no-redis]
                             [--only ROWS]

    Times, each call alone on loopback, one resolve of a service:
      http      GET /v1/resolve/bench (JSON) and GET /v1/url/bench (text), each
                on one keep-alive connection
      floor     the same HTTP client against a thread that answers each read
                with one canned write (blocking, then in a poll loop), and the
                same DNS client against a UDP echo: the loopback round trip
                under any server on this machine
      dns       an A query for bench.service.rumor. over UDP
      url(for:) the same resolve in the process, no socket
      redis     GET of one key from a redis-server (skipped without one on PATH)
      process   one `rumor resolve bench --agent ADDR` process, start to exit
                (--rumor PATH, default the rumor next to this executable)

      --calls N       HTTP, DNS and Redis calls timed (default 20,000)
      --processes N   processes timed (default 20)
      --no-redis      do not start redis-server
      --only ROWS     only these rows, comma-separated, of: resolve, url, floor,
                      dns, echo, local, redis, process (to profile one of them)
    """

  static func run(_ arguments: [String]) -> Int32 {
    var calls = 20_000
    var processes = 20
    var redis = true
    var only: Set<String>?
    var rumorPath = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("rumor").path
    var rest = arguments[...]
    while let argument = rest.popFirst() {
      switch argument {
      case "--calls": calls = rest.popFirst().flatMap { Int($0) } ?? -1
      case "--processes": processes = rest.popFirst().flatMap { Int($0) } ?? -1
      case "--rumor": rumorPath = rest.popFirst() ?? ""
      case "--no-redis": redis = false
      case "--only": only = Set((rest.popFirst() ?? "").split(separator: ",").map(String.init))
      case "--help", "-h":
        print(usage)
        return 0
      default:
        StandardError.emit("rumor-bench agent: unknown argument '\(argument)'\n\(usage)")
        return 2
      }
    }
    guard (1...10_000_000).contains(calls), (0...10_000).contains(processes) else {
      StandardError.emit(
        "rumor-bench agent: --calls must be 1 to 10,000,000, --processes 0 to 10,000")
      return 2
    }
    if let unknown = only?.first(where: { Row(rawValue: $0) == nil }) {
      StandardError.emit(
        "rumor-bench agent: --only takes \(Row.allCases.map(\.rawValue).joined(separator: ", ")), not '\(unknown)'"
      )
      return 2
    }
    let rows = Row.allCases.filter { only?.contains($0.rawValue) ?? true }
    do {
      try measure(
        calls: calls, processes: processes, rumor: rumorPath, redis: redis, rows: Set(rows))
      return 0
    } catch {
      StandardError.emit("rumor-bench agent: \(error)")
      return 1
    }
  }

  /// The rows `--only` can pick.
  enum Row: String, CaseIterable {
    case resolve, url, floor, dns, echo, local, redis, process
  }

  private static func measure(
    calls: Int, processes: Int, rumor: String, redis: Bool, rows wanted: Set<Row>
  ) throws {
    let loopback = NodeAddress(ipv4: 127, 0, 0, 1, port: 0)
    let node = try RumorNode.start(
      NodeConfiguration(name: "bench-agent", bind: loopback, tags: ["svc.bench": "http://:8042"]))
    defer { Task { await node.shutdown() } }
    let configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(),
      host: HostEnvironment(variables: [EnvironmentVariable.deploymentMode: "local"]))
    let registry = ServiceRegistry(configuration: configuration, node: node, variables: [:])
    let api = try AgentAPI(node: node, registry: registry, bind: loopback)
    defer { api.stop() }
    guard let domain = DNSName("rumor.") else { throw BenchError("bad domain") }
    let dns = try DNSServer(
      bind: loopback,
      answerer: DNSAnswerer(domain: domain, directory: .live(registry: registry, node: node)))
    defer { dns.stop() }
    let deadline = Date().addingTimeInterval(5)
    while registry.catalog.instances["bench"] == nil && Date() < deadline { usleep(10_000) }
    guard registry.catalog.instances["bench"] != nil else {
      throw BenchError("the node did not publish its own service")
    }
    var rows: [(String, Percentiles<UInt64>)] = []
    let sampler = LatencySampler(warmUpCalls: min(2_000, calls / 10 + 1), timedCalls: calls)

    func timeHTTP(port: UInt16, _ request: String) throws -> Percentiles<UInt64> {
      let client = try HTTPKeepAliveClient(port: port)
      defer { client.close() }
      let bytes = Array(request.utf8)
      return try sampler.run { _ in UInt64(try client.exchange(bytes)) }.nanoseconds
    }
    if wanted.contains(.resolve) {
      rows.append(
        (
          "HTTP GET /v1/resolve/bench (JSON)",
          try timeHTTP(
            port: api.address.port,
            "GET /v1/resolve/bench HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n")
        ))
    }
    if wanted.contains(.url) {
      rows.append(
        (
          "HTTP GET /v1/url/bench (text)",
          try timeHTTP(port: api.address.port, "GET /v1/url/bench HTTP/1.1\r\nHost: bench\r\n\r\n")
        ))
    }
    for poll in [false, true] where wanted.contains(.floor) {
      let floor = try LoopbackFloor.tcp(poll: poll)
      rows.append(
        (
          poll ? "floor: canned HTTP reply, poll loop" : "floor: canned HTTP reply, read/write",
          try timeHTTP(port: floor.port, "GET /v1/url/bench HTTP/1.1\r\nHost: bench\r\n\r\n")
        ))
    }

    let query = DNSMessage(
      id: 7, recursionDesired: true,
      questions: [DNSQuestion(name: DNSName("bench.service.rumor.") ?? domain, type: .a)]
    ).encode()
    func timeDNS(port: UInt16) throws -> Percentiles<UInt64> {
      let client = try DNSClient(port: port)
      defer { client.close() }
      return try sampler.run { _ in UInt64(try client.exchange(query).count) }.nanoseconds
    }
    if wanted.contains(.dns) {
      rows.append(("DNS A bench.service.rumor., UDP", try timeDNS(port: dns.address.port)))
    }
    if wanted.contains(.echo) {
      let echo = try LoopbackFloor.udp()
      defer { echo.stop() }
      rows.append(("floor: UDP echo", try timeDNS(port: echo.port)))
    }
    if wanted.contains(.local) {
      let inProcess = try sampler.run { _ in Digest.of(try registry.url(for: "bench")) }
      rows.append(("url(for:) in the process, no socket", inProcess.nanoseconds))
    }
    if redis, wanted.contains(.redis),
      let executable = RedisServer.find(onPath: getenv("PATH").map { String(cString: $0) })
    {
      let redisSample = try RedisGetBench(
        warmUpCalls: min(2_000, calls / 10 + 1), timedCalls: calls
      ).run(executable: executable)
      rows.append(("Redis GET, loopback", redisSample.latency.nanoseconds))
    }
    if processes > 0, wanted.contains(.process) {
      guard FileManager.default.isExecutableFile(atPath: rumor) else {
        throw BenchError("no rumor executable at \(rumor): build it, or give --rumor PATH")
      }
      var times: [UInt64] = []
      for _ in 0..<processes {
        let start = Clocks.monotonic()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rumor)
        process.arguments = ["resolve", "bench", "--agent", api.address.description]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        times.append(Clocks.monotonic() &- start)
        guard process.terminationStatus == 0 else {
          throw BenchError("rumor resolve exited \(process.terminationStatus)")
        }
      }
      rows.append(("one `rumor resolve` process", Percentiles(times)))
    }
    print("rumor-bench agent: one resolve through the local agent, each call timed alone (ns)")
    let machine = MachineDescription.current()
    print(
      "machine: \(machine.cpuModel), \(machine.onlineCPUs) online CPUs, clock source \(machine.clockSource)"
    )
    print(
      "operation".padding(toLength: 42, withPad: " ", startingAt: 0)
        + "    calls        p50        p99")
    for (name, sample) in rows {
      print(
        name.padding(toLength: 42, withPad: " ", startingAt: 0)
          + String(sample.count).leftPadded(9)
          + Formatting.nanoseconds(sample.median).leftPadded(11)
          + Formatting.nanoseconds(sample.p99).leftPadded(11))
    }
    if let redisRow = rows.first(where: { $0.0.hasPrefix("Redis") }) {
      let redisMedian = Double(redisRow.1.median)
      print("Redis GET p50 over each p50 (above 1: faster than Redis):")
      for (name, sample) in rows where !name.hasPrefix("Redis") && !name.hasPrefix("one") {
        print(
          "  " + name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + Formatting.fixed(redisMedian / Double(max(sample.median, 1)), 2) + "×")
      }
    }
  }
}

extension String {
  /// Right-aligned in `width` columns.
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
