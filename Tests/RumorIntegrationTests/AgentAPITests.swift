import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The agent's HTTP API through the clients its users use: curl, python3
/// and the rumor CLI.
@Suite("The agent's HTTP API, with curl and python3", .serialized)
struct AgentAPITests {
  /// A healthy HTTP service for agents to advertise.
  static func standIn() throws -> HTTPResponder {
    try HTTPResponder(bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)) { _ in
      HTTPResponse(body: "ok\n")
    }
  }

  static func agent(_ name: String, _ arguments: [String] = []) throws -> AgentProcess {
    try AgentProcess(name: name, arguments: ["--http", "127.0.0.1:0"] + arguments)
  }

  @Test("every read endpoint answers: members, services, resolve, url, health, agent")
  func reads() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let web = try Self.standIn()
    defer { web.stop() }
    let first = try Self.agent("api-a", ["--service", "web=http://127.0.0.1:\(web.address.port)"])
    defer { first.stop(signal: SIGKILL) }
    let second = try AgentProcess(
      name: "api-b", arguments: ["--join", first.address?.description ?? ""])
    defer { second.stop(signal: SIGKILL) }
    #expect(
      await eventually(within: 20) {
        let reply = try? await curl([try apiURL(first, "/v1/services/web")])
        return reply?.body.contains(#""health":"passing""#) == true
      })

    let members = try await curl([try apiURL(first, "/v1/members")])
    #expect(members.status == 200)
    #expect(members.headers["content-type"] == "application/json; charset=utf-8")
    #expect(UInt64(members.headers["x-rumor-index"] ?? "") ?? 0 >= 1)
    guard case .array(let list)? = members.json else {
      Issue.record("members: \(members.body)")
      return
    }
    #expect(list.count == 2)
    #expect(
      members.body.contains(#""name":"api-b""#) && members.body.contains(#""status":"alive""#))
    let failed = try await curl([try apiURL(first, "/v1/members?status=failed")])
    #expect(failed.body == "[]\n")

    let services = try await curl([try apiURL(first, "/v1/services")])
    #expect(
      services.body.contains(#""service":"web""#) && services.body.contains(#""node":"api-a""#))
    let unknown = try await curl([try apiURL(first, "/v1/services/nope")])
    #expect(unknown.status == 404)
    #expect(unknown.body.contains("nope"))

    let resolved = try await curl([try apiURL(first, "/v1/resolve/web?path=/x")])
    #expect(resolved.status == 200)
    #expect(resolved.json?["url"] == .string("http://127.0.0.1:\(web.address.port)/x"))
    #expect(resolved.json?["source"] == "gossip")
    #expect(resolved.json?["instance"]?["node"] == "api-a")
    let unresolved = try await curl([try apiURL(first, "/v1/resolve/no-such")])
    #expect(unresolved.status == 404)
    #expect(unresolved.body.contains("no-such"))

    // The URL alone, as text: what a hot path asks.
    let url = try await curl([try apiURL(first, "/v1/url/web?path=/x")])
    #expect(url.status == 200)
    #expect(url.headers["content-type"] == "text/plain; charset=utf-8")
    #expect(url.body == "http://127.0.0.1:\(web.address.port)/x\n")
    let noURL = try await curl([try apiURL(first, "/v1/url/no-such")])
    #expect(noURL.status == 404)
    #expect(noURL.json?["error"] != nil && noURL.body.contains("no-such"), "\(noURL.body)")

    let health = try await curl([try apiURL(first, "/v1/health/web")])
    #expect(health.status == 200)
    #expect(health.json?["status"] == "healthy", "\(health.body)")
    let unknownHealth = try await curl([try apiURL(first, "/v1/health/no-such")])
    #expect(unknownHealth.status == 404)
    #expect(unknownHealth.json?["status"] == "unknown")

    let agent = try await curl([try apiURL(first, "/v1/agent")])
    #expect(agent.json?["name"] == "api-a")
    #expect(agent.json?["configuration"]?["gossip"]?["http"] != nil, "\(agent.body)")
    #expect(agent.json?["counters"]?["probes"] != nil)

    // The CLI asks the agent when --peer is not given.
    let cli = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      ["services", "web", "--json", "--agent", first.httpAddress?.description ?? ""])
    #expect(await cli.exit(within: 15))
    #expect(cli.log.contains(#""node":"api-a""#), "\(cli.log)")
    let agentFlag = ["--agent", first.httpAddress?.description ?? ""]
    let resolve = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"), ["resolve", "web", "/x"] + agentFlag)
    #expect(await resolve.exit(within: 15))
    #expect(resolve.log == "http://127.0.0.1:\(web.address.port)/x\n", "\(resolve.log)")
    let membersCLI = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"), ["members", "--json"] + agentFlag)
    #expect(await membersCLI.exit(within: 15))
    #expect(membersCLI.log.contains(#""addr":"127.0.0.1""#), "\(membersCLI.log)")
    #expect(membersCLI.log.contains(#""name":"api-b""#), "\(membersCLI.log)")
    let healthCLI = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"), ["health", "web"] + agentFlag)
    #expect(await healthCLI.exit(within: 40))
    #expect(healthCLI.process.terminationStatus == 0, "\(healthCLI.log)")
    #expect(healthCLI.log.contains("web"), "\(healthCLI.log)")
  }

  @Test("bad requests get 400, 404, 405, 413 and 505 as JSON errors")
  func badRequests() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let agent = try Self.agent("api-bad")
    defer { agent.stop(signal: SIGKILL) }
    let notAllowed = try await curl(["-X", "POST", try apiURL(agent, "/v1/members")])
    #expect(notAllowed.status == 405)
    #expect(notAllowed.headers["allow"] == "GET")
    #expect(try await curl([try apiURL(agent, "/v2/nothing")]).status == 404)
    let badIndex = try await curl([try apiURL(agent, "/v1/members?index=x")])
    #expect(badIndex.status == 400)
    #expect(badIndex.json?["error"] != nil)
    #expect(try await curl([try apiURL(agent, "/v1/members?index=1&wait=soon")]).status == 400)
    #expect(try await curl([try apiURL(agent, "/v1/members?status=dead")]).status == 400)
    let big = String(repeating: "x", count: 70_000)
    let tooLarge = try await curl([
      "-X", "PUT", "-H", "Expect:", "--data-binary", big, try apiURL(agent, "/v1/agent/tags"),
    ])
    #expect(tooLarge.status == 413)
    // Raw bytes no client would send.
    guard let address = agent.httpAddress else { return }
    func raw(_ text: String) async -> String {
      await offThePool { () -> String in
        guard let socket = AttackSocket(to: address) else { return "" }
        defer { socket.close() }
        _ = socket.sendAll(Array(text.utf8))
        return String(decoding: socket.readAll(seconds: 3), as: UTF8.self)
      }
    }
    let bareLF = await raw("GET /v1/members HTTP/1.1\nHost: x\n\n")
    #expect(bareLF.hasPrefix("HTTP/1.1 400 "), "\(bareLF)")
    #expect(bareLF.contains(#"{"error":"#))
    let version = await raw("GET /v1/members HTTP/2.0\r\nHost: x\r\n\r\n")
    #expect(version.hasPrefix("HTTP/1.1 505 "), "\(version)")
    // Two requests on one connection (keep-alive), both answered.
    let pipelined = await raw(
      "GET /v1/members HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/agent HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    #expect(pipelined.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(pipelined)")
  }

  @Test("writes from loopback: tags, advertise, withdraw, then leave ends the agent")
  func writes() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let agent = try Self.agent("api-write")
    defer { agent.stop(signal: SIGKILL) }
    let tags = try await curl([
      "-X", "PUT", "--data", #"{"team":"blue"}"#, try apiURL(agent, "/v1/agent/tags"),
    ])
    #expect(tags.status == 200, "\(tags.body)")
    #expect(
      await eventually(within: 10) {
        (try? await curl([try apiURL(agent, "/v1/members")]))?.body.contains(#""team":"blue""#)
          == true
      })
    let advertised = try await curl([
      "-X", "PUT", "--data", #"{"url":"redis://:6379","check":"none"}"#,
      try apiURL(agent, "/v1/agent/services/cache"),
    ])
    #expect(advertised.status == 200, "\(advertised.body)")
    #expect(
      await eventually(within: 10) {
        (try? await curl([try apiURL(agent, "/v1/services/cache")]))?.status == 200
      })
    #expect(
      try await curl(["-X", "PUT", "--data", "{bad", try apiURL(agent, "/v1/agent/tags")]).status
        == 400)
    #expect(
      try await curl([
        "-X", "PUT", "--data", #"{"url":"nonsense"}"#, try apiURL(agent, "/v1/agent/services/x"),
      ]).status == 400)
    #expect(
      try await curl(["-X", "DELETE", try apiURL(agent, "/v1/agent/services/cache")]).status
        == 200)
    #expect(
      try await curl(["-X", "DELETE", try apiURL(agent, "/v1/agent/services/cache")]).status
        == 404)
    let leave = try await curl(["-X", "POST", try apiURL(agent, "/v1/agent/leave")])
    #expect(leave.status == 200)
    #expect(await agent.child.exit(within: 20))
    #expect(agent.child.process.terminationStatus == 0)
    #expect(agent.log.contains("leaving the cluster"), "\(agent.log)")
  }

  @Test("with --http-token, every write needs the bearer token, loopback included")
  func token() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let agent = try Self.agent("api-token", ["--http-token", "s3cret"])
    defer { agent.stop(signal: SIGKILL) }
    let url = try apiURL(agent, "/v1/agent/tags")
    let none = try await curl(["-X", "PUT", "--data", "{}", url])
    #expect(none.status == 401)
    #expect(none.headers["www-authenticate"] == "Bearer")
    let wrong = try await curl([
      "-X", "PUT", "--data", "{}", "-H", "Authorization: Bearer nope", url,
    ])
    #expect(wrong.status == 403)
    let right = try await curl([
      "-X", "PUT", "--data", #"{"a":"b"}"#, "-H", "Authorization: Bearer s3cret", url,
    ])
    #expect(right.status == 200, "\(right.body)")
    // Reads need nothing.
    #expect(try await curl([try apiURL(agent, "/v1/members")]).status == 200)
    // The key endpoints (listing too: it shows keys), force-leave and the
    // tag merge are writes.
    let key = #"{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}"#
    for (method, path, body) in [
      ("GET", "/v1/keys", ""), ("POST", "/v1/keys/install", key), ("POST", "/v1/keys/use", key),
      ("POST", "/v1/keys/remove", key), ("POST", "/v1/agent/force-leave/x", ""),
      ("PATCH", "/v1/agent/tags", #"{"set":{"a":"c"}}"#),
    ] {
      let refused = try await curl(["-X", method, "--data", body, try apiURL(agent, path)])
      #expect(refused.status == 401, "\(method) \(path): \(refused.body)")
    }
    let bearer = ["-H", "Authorization: Bearer s3cret"]
    // This agent has no keyring: its own member answers the key query
    // with Serf's reason, and the answer is 502 saying 1/1 failed.
    let list = try await curl(bearer + [try apiURL(agent, "/v1/keys")])
    #expect(list.status == 502, "\(list.body)")
    #expect(list.json?["error"] == .string("1/1 nodes reported failure"), "\(list.body)")
    #expect(list.body.contains("encryption not enabled"), "\(list.body)")
    // A bad key is refused before anyone is asked, naming no key.
    let badKey = try await curl(
      bearer + ["-X", "POST", "--data", #"{"key":"c2VjcmV0"}"#, try apiURL(agent, "/v1/keys/use")])
    #expect(badKey.status == 400 && !badKey.body.contains("c2VjcmV0"), "\(badKey.body)")
    let merged = try await curl(
      bearer + [
        "-X", "PATCH", "--data", #"{"set":{"c":"d"},"delete":["x"]}"#,
        try apiURL(agent, "/v1/agent/tags"),
      ])
    #expect(merged.json?["tags"] == .object([("a", .string("b")), ("c", .string("d"))]))
    let unknown = try await curl(
      bearer + ["-X", "POST", try apiURL(agent, "/v1/agent/force-leave/nobody")])
    #expect(unknown.status == 404, "\(unknown.body)")
    let level = try await curl([try apiURL(agent, "/v1/monitor?level=loud")])
    #expect(level.status == 400, "\(level.body)")
  }

  @Test(
    "a blocking query returns early on a change; the event stream shows a kill -9'd member fail")
  func watching() async throws {
    guard curlExecutable != nil else {
      print("skipped: curl is not installed")
      return
    }
    let watched = try Self.agent("api-watch")
    defer { watched.stop(signal: SIGKILL) }
    let first = try await curl([try apiURL(watched, "/v1/members")])
    let index = first.headers["x-rumor-index"] ?? ""
    // Nothing changes: the query waits out its wait and keeps the index.
    let started = Date()
    let idle = try await curl([try apiURL(watched, "/v1/members?index=\(index)&wait=1s")])
    #expect(Date().timeIntervalSince(started) >= 0.9)
    #expect(idle.headers["x-rumor-index"] == index)

    let events = try ChildProcess(
      URL(fileURLWithPath: curlExecutable ?? ""),
      ["-s", "-N", "--noproxy", "*", "--max-time", "90", try apiURL(watched, "/v1/events")])
    defer { events.stop(signal: SIGKILL) }
    async let blocked = curl(
      [try apiURL(watched, "/v1/members?index=\(index)&wait=60s")], within: 70)
    try await Task.sleep(for: .milliseconds(500))
    let joinedAt = Date()
    let victim = try AgentProcess(
      name: "api-victim", arguments: ["--join", watched.address?.description ?? ""])
    defer { victim.stop(signal: SIGKILL) }
    let changed = try await blocked
    let waited = Date().timeIntervalSince(joinedAt)
    #expect(waited < 20, "the blocking query took \(waited) s after the join")
    #expect(changed.body.contains("api-victim"))
    #expect((UInt64(changed.headers["x-rumor-index"] ?? "") ?? 0) > (UInt64(index) ?? 0))

    // A change of this agent's own tags (no membership event) wakes a
    // blocking query too, and shows in the stream as an update.
    let now = changed.headers["x-rumor-index"] ?? ""
    async let own = curl([try apiURL(watched, "/v1/members?index=\(now)&wait=60s")], within: 70)
    try await Task.sleep(for: .milliseconds(500))
    let putAt = Date()
    _ = try await curl([
      "-X", "PUT", "--data", #"{"zone":"a"}"#, try apiURL(watched, "/v1/agent/tags"),
    ])
    let ownChange = try await own
    #expect(Date().timeIntervalSince(putAt) < 10)
    #expect(ownChange.body.contains(#""zone":"a""#), "\(ownChange.body)")
    #expect(
      await eventually(within: 10) {
        events.log.contains("event: updated") && events.log.contains(#""zone":"a""#)
      }, "\(events.log)")

    kill(victim.child.process.processIdentifier, SIGKILL)
    #expect(
      await eventually(within: 60) {
        events.log.contains("event: failed") && events.log.contains(#""name":"api-victim""#)
      }, "\(events.log)")
    #expect(events.log.contains("event: joined"))
  }

  @Test("the brief's Python example runs against a live agent with python3")
  func python() async throws {
    guard let python3Executable else {
      print("skipped: python3 is not installed")
      return
    }
    let web = try Self.standIn()
    defer { web.stop() }
    let agent = try Self.agent(
      "api-python", ["--service", "web=http://127.0.0.1:\(web.address.port)"])
    defer { agent.stop(signal: SIGKILL) }
    let script = """
      import asyncio
      from service_registry import get_service_url, get_service_registry, ServiceStatus
      print("url", get_service_url("web", "/api/process"))
      async def main():
          registry = get_service_registry()
          health = await registry.check_service_health("web")
          print("health", health.status.value, health.status == ServiceStatus.HEALTHY)
          missing = await registry.check_service_health("no-such")
          print("missing", missing.status.value)
          report = await registry.check_all_services_health()
          print("all", report["web"].status.value)
      asyncio.run(main())
      """
    guard let address = agent.httpAddress else { return }
    #expect(
      await eventually(within: 20) {
        (try? await curl(["http://\(address)/v1/health/web"]))?.json?["status"] == "healthy"
      })
    let child = try ChildProcess(
      URL(fileURLWithPath: python3Executable), ["-c", script],
      environment: [
        "RUMOR_AGENT": address.description,
        "PYTHONPATH": FileManager.default.currentDirectoryPath + "/docs/examples/python",
      ])
    #expect(await child.exit(within: 60))
    #expect(child.process.terminationStatus == 0, "\(child.log)")
    #expect(
      child.log.contains("url http://127.0.0.1:\(web.address.port)/api/process"), "\(child.log)")
    #expect(child.log.contains("health healthy True"), "\(child.log)")
    #expect(child.log.contains("missing unknown"), "\(child.log)")
    #expect(child.log.contains("all healthy"), "\(child.log)")
  }
}
