import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `redis-server`, when installed (Debian package `redis-server`).
let redisServer: String? = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("Health checks against real servers on loopback")
struct HealthProbeTests {
  @Test("an HTTP check passes on 2xx and fails on other statuses, with the status")
  func http() async throws {
    let server = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { request in
      request.path == "/health"
        ? HTTPResponse(body: "ok\n") : HTTPResponse(status: 503, body: "down\n")
    }
    defer { server.stop() }
    let good = await HealthProbe.run(
      HealthCheck(kind: .http, path: "/health"), host: "127.0.0.1", port: server.address.port)
    #expect(good.passed)
    #expect(good.statusCode == 200)
    let bad = await HealthProbe.run(
      HealthCheck(kind: .http, path: "/other"), host: "localhost", port: server.address.port)
    #expect(!bad.passed)
    #expect(bad.statusCode == 503)
    #expect(bad.error == "HTTP 503")
  }

  @Test("a check whose timeout runs out before it connects says so, not that the peer timed out")
  func budgetSpentBeforeConnecting() async throws {
    let server = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      HTTPResponse()
    }
    defer { server.stop() }
    let result = await HealthProbe.run(
      HealthCheck(kind: .http, path: "/health", timeout: .nanoseconds(1)), host: "localhost",
      port: server.address.port)
    #expect(!result.passed)
    #expect(result.error?.contains("ran out before connecting") == true, "\(result.error ?? "")")
  }

  @Test("a TCP check passes on an open port and fails, with the reason, on a closed one")
  func tcp() async throws {
    let server = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      HTTPResponse()
    }
    let port = server.address.port
    #expect(await HealthProbe.run(HealthCheck(kind: .tcp), host: "127.0.0.1", port: port).passed)
    server.stop()
    try await Task.sleep(for: .milliseconds(100))
    let closed = await HealthProbe.run(HealthCheck(kind: .tcp), host: "127.0.0.1", port: port)
    #expect(!closed.passed)
    #expect(closed.error?.contains("refused") == true, "\(closed.error ?? "")")
  }

  @Test("a check of a server that never answers fails at its timeout")
  func timeout() async throws {
    // A listening socket nobody accepts from: the connection opens, no answer comes.
    let silent = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      Thread.sleep(forTimeInterval: 2)
      return HTTPResponse()
    }
    defer { silent.stop() }
    let result = await HealthProbe.run(
      HealthCheck(kind: .http, timeout: .milliseconds(300)), host: "127.0.0.1",
      port: silent.address.port)
    #expect(!result.passed)
    #expect(result.responseTime < .seconds(1.5))
  }

  @Test(
    "a Redis check passes on PONG from a real redis-server",
    .enabled(
      if: redisServer != nil, "redis-server is not installed: apt-get install -y redis-server"))
  func redis() async throws {
    let port = UInt16.random(in: 30_000...39_999)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: redisServer ?? "")
    process.arguments = [
      "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    ]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    defer {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    var result = HealthCheckResult(passed: false, responseTime: .zero)
    for _ in 0..<50 where !result.passed {
      result = await HealthProbe.run(HealthCheck(kind: .redis), host: "127.0.0.1", port: port)
      if !result.passed { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(result.passed, "\(result.error ?? "")")
    // An HTTP server is not Redis.
    let http = try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      HTTPResponse()
    }
    defer { http.stop() }
    let wrong = await HealthProbe.run(
      HealthCheck(kind: .redis), host: "127.0.0.1", port: http.address.port)
    #expect(!wrong.passed)
  }
}
