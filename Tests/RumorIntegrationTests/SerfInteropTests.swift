import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The `serf` binary, when installed (Debian package `serf`).
let serfExecutable: URL? = ["/usr/bin/serf", "/usr/local/bin/serf"].map(URL.init(fileURLWithPath:))
  .first { FileManager.default.isExecutableFile(atPath: $0.path) }

/// A `serf agent` child process on loopback (local profile), with its RPC.
final class SerfAgent: Sendable {
  let name: String
  let address: NodeAddress
  let rpcPort: UInt16
  let child: ChildProcess

  init(name: String, join: [NodeAddress] = [], arguments: [String] = []) throws {
    guard let serfExecutable else { throw AgentFailure("serf is not installed") }
    self.name = name
    let port = freePort()
    rpcPort = freePort()
    address = NodeAddress(ipv4: 127, 0, 0, 1, port: port)
    child = try ChildProcess(
      serfExecutable,
      [
        "agent", "-node=\(name)", "-bind=127.0.0.1:\(port)", "-rpc-addr=127.0.0.1:\(rpcPort)",
        "-profile=local", "-log-level=info",
      ] + join.map { "-join=\($0)" } + arguments)
    let deadline = Date().addingTimeInterval(15)
    while Date() < deadline && child.isRunning && !child.log.contains("Serf agent running") {
      usleep(20_000)
    }
    guard child.isRunning, child.log.contains("Serf agent running") else {
      child.stop(signal: SIGKILL)
      throw AgentFailure("serf agent \(name) did not start: \(child.log)")
    }
  }

  /// Runs `serf COMMAND -rpc-addr=THIS ARGUMENTS...` against this agent
  /// and returns its exit status and output.
  func command(_ name: String, _ arguments: [String] = []) async throws
    -> (status: Int32, output: String)
  {
    guard let serfExecutable else { throw AgentFailure("serf is not installed") }
    let child = try ChildProcess(
      serfExecutable, [name, "-rpc-addr=127.0.0.1:\(rpcPort)"] + arguments)
    await child.exit()
    return (child.process.terminationStatus, child.log)
  }

  /// Runs `serf keys ARGUMENTS` and asks again, at most twice, while an
  /// answer is missing ("2/3 nodes reported success", that member not
  /// named). Traced: the member never heard the query, whose gossip had
  /// spent its two sends on the asker (docs/protocol.md, "A re-gossiped
  /// query is not sent back to its asker", now fixed in Rumor). A Serf
  /// member still gossips that way, and serf waits only 16 gossip
  /// intervals (1.6 s in the local profile) for an agent stalled on a
  /// loaded machine: asking again is what an operator would do.
  /// `answered` says whether the result is the one the test waits for. A
  /// wrong answer is never asked again: serf then prints the member's
  /// error under its summary, and a missing answer prints the summary
  /// alone.
  func keys(
    _ arguments: [String],
    answered: ((status: Int32, output: String)) -> Bool = { $0.status == 0 }
  ) async throws -> (status: Int32, output: String) {
    func answerMissing(_ output: String) -> Bool {
      let lines = output.split(separator: "\n").filter {
        !$0.allSatisfy { $0 == " " || $0 == "\t" }
      }
      return output.contains("nodes reported success") && lines.count <= 2
    }
    var result = try await command("keys", arguments)
    for _ in 0..<2 where !answered(result) && answerMissing(result.output) {
      result = try await command("keys", arguments)
    }
    return result
  }

  /// Whether this agent lists every one of `names` alive.
  func seesAlive(_ names: [String]) async -> Bool {
    let members = await members()
    return names.allSatisfy { members[$0]?.status == "alive" }
  }

  /// What `serf members -format=json` says: name → (status, tags).
  func members() async -> [String: (status: String, tags: [String: String])] {
    guard let serfExecutable,
      let query = try? ChildProcess(
        serfExecutable, ["members", "-rpc-addr=127.0.0.1:\(rpcPort)", "-format=json"])
    else { return [:] }
    await query.exit()
    guard let data = query.log.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let list = object["members"] as? [[String: Any]]
    else { return [:] }
    var members: [String: (status: String, tags: [String: String])] = [:]
    for entry in list {
      guard let name = entry["name"] as? String, let status = entry["status"] as? String else {
        continue
      }
      members[name] = (status, entry["tags"] as? [String: String] ?? [:])
    }
    return members
  }

  /// Sends `signal` and waits for the agent to exit.
  func stop(signal: Int32 = SIGINT) { child.stop(signal: signal) }
}

@Suite(
  "Serf agents and Rumor agents in one cluster", .serialized,
  .enabled(if: serfExecutable != nil, "serf is not installed: apt-get install -y serf"))
struct SerfInteropTests {
  @Test(
    "three serf and three rumor agents converge, each side lists all six alive, serf shows rumor's tags"
  )
  func mixedClusterConverges() async throws {
    var serfs: [SerfAgent] = []
    var rumors: [AgentProcess] = []
    defer {
      for agent in serfs { agent.stop(signal: SIGKILL) }
      for agent in rumors { agent.stop(signal: SIGKILL) }
    }
    serfs.append(try SerfAgent(name: "s0"))
    let seed = serfs[0].address
    for index in 1..<3 { serfs.append(try SerfAgent(name: "s\(index)", join: [seed])) }
    for index in 0..<3 {
      rumors.append(
        try AgentProcess(
          name: "r\(index)",
          arguments: ["--join", seed.description, "--tag", "svc.r\(index)=http://:80\(index)"]))
    }
    let names = Set(["s0", "s1", "s2", "r0", "r1", "r2"])
    let serfSees = await eventually(within: 20) {
      for agent in serfs {
        let view = await agent.members()
        guard Set(view.filter { $0.value.status == "alive" }.keys) == names else { return false }
      }
      return true
    }
    var serfViews: [[String: String]] = []
    for agent in serfs { serfViews.append(await agent.members().mapValues(\.status)) }
    #expect(serfSees, "serf: \(serfViews)")
    let rumorSees = await eventually(within: 20) {
      for agent in rumors {
        guard let view = try? await agent.members(),
          Set(view.filter { $0.state == .alive }.map(\.name)) == names
        else { return false }
      }
      return true
    }
    #expect(rumorSees)
    #expect(await serfs[1].members()["r2"]?.tags == ["svc.r2": "http://:802"])
  }

  @Test(
    "kill -9 of a rumor agent makes serf mark it failed, and the other way round, with either preset",
    arguments: [Preset.rumor, .memberlist])
  func killsAreDetectedBothWays(preset: Preset) async throws {
    let serf = try SerfAgent(name: "ks0")
    let other = try SerfAgent(name: "ks1", join: [serf.address])
    let flags = ["--join", serf.address.description, "--preset", preset.rawValue]
    let rumor = try AgentProcess(name: "kr0", arguments: flags)
    let victim = try AgentProcess(name: "kr1", arguments: flags)
    defer {
      for agent in [serf, other] { agent.stop(signal: SIGKILL) }
      for agent in [rumor, victim] { agent.stop(signal: SIGKILL) }
    }
    #expect(
      await eventually(within: 20) {
        await serf.members().values.filter { $0.status == "alive" }.count == 4
      })
    victim.stop(signal: SIGKILL)
    #expect(await eventually(within: 40) { await serf.members()["kr1"]?.status == "failed" })
    other.stop(signal: SIGKILL)
    #expect(
      await eventually(within: 40) {
        (try? await rumor.members())?.first { $0.name == "ks1" }?.state == .dead
      })
  }

  @Test(
    "a graceful leave is seen as left, never failed, on both sides, five times over, with either preset",
    arguments: [Preset.rumor, .memberlist])
  func leavesAreLeft(preset: Preset) async throws {
    let serf = try SerfAgent(name: "ls0")
    let watcher = try AgentProcess(
      name: "lw", arguments: ["--join", serf.address.description, "--preset", preset.rawValue])
    defer { killAll(serf, watcher) }
    for round in 0..<5 {
      // A Rumor agent leaves; the serf agent must never call it failed.
      let leaver = try AgentProcess(
        name: "rl\(round)",
        arguments: ["--join", serf.address.description, "--preset", preset.rawValue])
      defer { leaver.stop(signal: SIGKILL) }
      #expect(
        await eventually(within: 20) { await serf.members()["rl\(round)"]?.status == "alive" })
      leaver.stop(signal: SIGINT)
      var sawFailed = false
      let left = await eventually(within: 20) {
        let status = await serf.members()["rl\(round)"]?.status
        if status == "failed" { sawFailed = true }
        return status == "left"
      }
      let lastSeen = await serf.members()["rl\(round)"]?.status
      #expect(left && !sawFailed, "round \(round): serf saw \(lastSeen ?? "nothing")")
      // A serf agent leaves; the Rumor agent must see it left.
      let serfLeaver = try SerfAgent(name: "sl\(round)", join: [serf.address])
      defer { serfLeaver.stop(signal: SIGKILL) }
      #expect(
        await eventually(within: 20) {
          (try? await watcher.members())?.first { $0.name == "sl\(round)" }?.state == .alive
        })
      serfLeaver.stop(signal: SIGINT)
      #expect(
        await eventually(within: 20) {
          (try? await watcher.members())?.first { $0.name == "sl\(round)" }?.state == .left
        })
    }
  }

  @Test("an encrypted cluster works, and nodes with another key are never admitted")
  func encryption() async throws {
    let key = "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y="
    let other = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    let keyBytes = [Array(Data(base64Encoded: key) ?? Data())]
    let serf = try SerfAgent(name: "es0", arguments: ["-encrypt=\(key)"])
    let rumor = try AgentProcess(
      name: "er0", arguments: ["--join", serf.address.description, "--encrypt", key])
    defer { killAll(serf, rumor) }
    #expect(await eventually(within: 20) { await serf.members()["er0"]?.status == "alive" })
    #expect(
      await eventually(within: 20) {
        (try? await rumor.members(keys: keyBytes))?.first { $0.name == "es0" }?.state == .alive
      })
    // A Rumor agent with another key cannot join; a serf agent with another
    // key cannot either; neither ever shows up.
    let intruder = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      [
        "agent", "--name", "bad", "--bind", "127.0.0.1:0", "--join", serf.address.description,
        "--encrypt", other,
      ])
    defer { intruder.stop(signal: SIGKILL) }
    let badSerf = try? SerfAgent(
      name: "badserf", join: [rumor.address].compactMap { $0 }, arguments: ["-encrypt=\(other)"])
    defer { badSerf?.stop(signal: SIGKILL) }
    try await Task.sleep(for: .seconds(5))
    let serfView = await serf.members()
    #expect(serfView["bad"] == nil && serfView["badserf"] == nil)
    let view = try await rumor.members(keys: keyBytes)
    #expect(!view.contains { $0.name == "bad" || $0.name == "badserf" })
    await intruder.exit()
    #expect(
      intruder.process.terminationStatus == 1, "the intruder should fail to join: \(intruder.log)")
  }

  @Test("a service advertised by a plain serf agent's tags is resolved by rumor")
  func serfAdvertisedService() async throws {
    let serf = try SerfAgent(
      name: "svc-serf",
      arguments: ["-tag", "svc.redis=redis://:6399", "-tag", "svc.backend=http://:8701/api"])
    let rumor = try AgentProcess(
      name: "svc-rumor", arguments: ["--join", serf.address.description])
    defer { killAll(serf, rumor) }
    let configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(),
      host: HostEnvironment(variables: ["AUTOBOT_DEPLOYMENT_MODE": "local"]))
    // Through the Rumor agent's gossip view, and straight from serf's.
    var fromRumor: [Member] = []
    #expect(
      await eventually(within: 20) {
        fromRumor = (try? await rumor.members()) ?? []
        return fromRumor.contains { $0.name == "svc-serf" && $0.state == .alive }
      })
    let fromSerf = try await PeerQuery.members(of: serf.address)
    for members in [fromRumor, fromSerf] {
      let registry = ServiceRegistry(configuration: configuration, members: members, variables: [:])
      let redis = try registry.resolve("redis")
      #expect(redis.url.description == "redis://127.0.0.1:6399")
      #expect(redis.source == .gossip)
      #expect(redis.instance?.node == "svc-serf")
      #expect(
        try registry.url(for: "backend", path: "/health") == "http://127.0.0.1:8701/api/health")
    }
  }

  @Test(
    "user events cross both ways: a serf event reaches rumor agents, a rumor event reaches serf")
  func userEventsBothWays() async throws {
    let serf = try SerfAgent(name: "ev-serf")
    let rumor = try AgentProcess(name: "ev-rumor", arguments: ["--join", serf.address.description])
    let embedded = try RumorNode.start(
      NodeConfiguration(name: "ev-embedded", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    defer { killAll(serf, rumor) }
    try await embedded.join(addresses: [serf.address])
    #expect(await eventually(within: 20) { await serf.seesAlive(["ev-rumor", "ev-embedded"]) })
    // Serf to Rumor: `serf event` on the serf agent.
    guard let serfExecutable else { return }
    let send = try ChildProcess(
      serfExecutable, ["event", "-rpc-addr=127.0.0.1:\(serf.rpcPort)", "deploy", "v1"])
    await send.exit()
    #expect(send.process.terminationStatus == 0, "serf event failed: \(send.log)")
    #expect(await eventually(within: 10) { rumor.log.contains("user-event deploy ltime") })
    // Rumor to Serf: an embedded node sends one; serf's agent logs it, and
    // the Rumor agent gets it too (through serf or straight).
    let events = embedded.userEvents()
    let received = Task { () -> UserEvent? in
      for await event in events where event.name == "restart" { return event }
      return nil
    }
    try await embedded.sendUserEvent(name: "restart", payload: Array("now".utf8))
    #expect(await eventually(within: 10) { serf.child.log.contains("user-event: restart") })
    #expect(await eventually(within: 10) { rumor.log.contains("user-event restart ltime") })
    // Delivered once, also to its sender.
    #expect(await received.value?.payload == Array("now".utf8))
    #expect(rumor.log.components(separatedBy: "user-event deploy ltime").count == 2)
    await embedded.shutdown()
  }

  @Test("serf queries: rumor nodes ack, answer, honour filters, and count in serf reachability")
  func queriesFromSerf() async throws {
    let serf = try SerfAgent(name: "q-serf", arguments: ["-tag", "role=cache"])
    let rumor = try AgentProcess(
      name: "q-rumor", arguments: ["--join", serf.address.description, "--tag", "role=web-1"])
    let embedded = try RumorNode.start(
      NodeConfiguration(
        name: "q-embedded", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0),
        tags: ["role": "web-2"]))
    defer { killAll(serf, rumor) }
    try await embedded.join(addresses: [serf.address])
    #expect(await eventually(within: 20) { await serf.seesAlive(["q-rumor", "q-embedded"]) })
    // The embedded node answers "uptime".
    // Subscribed before the query is sent; answered on a task.
    let incoming = embedded.queries()
    let answering = Task {
      for await query in incoming where query.name == "uptime" {
        try? await embedded.respond(to: query, payload: Array("up".utf8))
      }
    }
    defer { answering.cancel() }
    guard let serfExecutable else { return }
    func serfQuery(_ arguments: [String]) async throws -> [String: Any] {
      let child = try ChildProcess(
        serfExecutable,
        ["query", "-rpc-addr=127.0.0.1:\(serf.rpcPort)", "-format=json", "-timeout=6s"]
          + arguments)
      await child.exit()
      let data = Data(child.log.utf8)
      return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
    let all = try await serfQuery(["uptime", "now?"])
    let acks = Set(all["Acks"] as? [String] ?? [])
    #expect(acks == ["q-serf", "q-rumor", "q-embedded"], "\(all)")
    let responses = all["Responses"] as? [String: Any] ?? [:]
    #expect(responses["q-embedded"] as? String == "up", "\(all)")
    // A tag filter: only the web nodes ack.
    let web = try await serfQuery(["-tag", "role=^web-[0-9]$", "uptime", ""])
    #expect(Set(web["Acks"] as? [String] ?? []) == ["q-rumor", "q-embedded"], "\(web)")
    // A node filter.
    let one = try await serfQuery(["-node", "q-rumor", "uptime", ""])
    #expect(Set(one["Acks"] as? [String] ?? []) == ["q-rumor"], "\(one)")
    // serf reachability pings every member with _serf_ping.
    let reach = try ChildProcess(
      serfExecutable, ["reachability", "-rpc-addr=127.0.0.1:\(serf.rpcPort)"])
    await reach.exit()
    #expect(reach.log.contains("Successfully contacted all live nodes"), "\(reach.log)")
    // The other way: the embedded node asks; serf, the rumor agent and
    // itself ack, and it answers itself.
    var ackers: Set<String> = []
    var answers: [String: [UInt8]] = [:]
    for await reply in try await embedded.query(
      "uptime", options: QueryOptions(requestAck: true, timeout: .seconds(3)))
    {
      switch reply {
      case .ack(_, let from): ackers.insert(from)
      case .response(_, let from, let payload): answers[from] = payload
      case .finished: break
      }
    }
    #expect(ackers == ["q-serf", "q-rumor", "q-embedded"])
    #expect(answers == ["q-embedded": Array("up".utf8)])
    await embedded.shutdown()
  }

  @Test(
    "serf keys rotates the key on rumor agents too: install, use, remove, list; nobody drops out")
  func keyRotationFromSerf() async throws {
    let old = "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y="
    let new = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    let serf = try SerfAgent(name: "ks0", arguments: ["-encrypt=\(old)"])
    let first = try AgentProcess(
      name: "kr1", arguments: ["--join", serf.address.description, "--encrypt", old])
    let second = try AgentProcess(
      name: "kr2", arguments: ["--join", serf.address.description, "--encrypt", old])
    defer { killAll(serf, first, second) }
    func allAlive() async -> Bool { await serf.seesAlive(["ks0", "kr1", "kr2"]) }
    #expect(await eventually(within: 20) { await allAlive() })
    guard serfExecutable != nil else { return }
    func keys(_ arguments: [String]) async throws -> (status: Int32, output: String) {
      try await serf.keys(arguments)
    }
    // Serf's documented order: install everywhere, use, then remove.
    let install = try await keys(["-install=\(new)"])
    #expect(install.status == 0, "\(install.output)")
    let use = try await keys(["-use=\(new)"])
    #expect(use.status == 0, "\(use.output)")
    try await Task.sleep(for: .seconds(2))
    #expect(await allAlive())
    let remove = try await keys(["-remove=\(old)"])
    #expect(remove.status == 0, "\(remove.output)")
    let list = try await keys(["-list"])
    #expect(list.status == 0, "\(list.output)")
    // Every one of the three members has only the new key.
    let line = list.output.split(separator: "\n").first { $0.hasPrefix(new) }
    #expect(line?.split(separator: " ").last == "[3/3]", "\(list.output)")
    #expect(!list.output.contains(old), "\(list.output)")
    // Still one cluster, now on the new key only: the Rumor agents gossip
    // with it, and a query over it reaches all three.
    try await Task.sleep(for: .seconds(3))
    #expect(await allAlive())
    let newBytes = [Array(Data(base64Encoded: new) ?? Data())]
    let view = try await first.members(keys: newBytes)
    #expect(view.filter { $0.state == .alive }.count == 3)
    // Keys never reach the agents' logs.
    #expect(!first.log.contains(new) && !first.log.contains(old))
  }

  @Test("one Serf handler script gets the same environment and input from a serf and a rumor agent")
  func eventHandlersLikeSerf() async throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-handlers-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("handler.sh").path
    try """
    out="$1"; mkdir -p "$out"
    f="$out/$SERF_EVENT-$(date +%s%N)-$$"
    env | grep '^SERF_' | sort > "$f.env.tmp"
    cat > "$f.in"
    mv "$f.env.tmp" "$f.env"
    """.write(toFile: script, atomically: true, encoding: .utf8)
    func handler(_ side: String) -> String { "sh \(script) \(directory.path)/\(side)" }
    let serf = try SerfAgent(
      name: "hs",
      arguments: [
        "-tag", "role=cache", "-event-handler", "user:deploy,member-join=\(handler("serf"))",
      ])
    let rumor = try AgentProcess(
      name: "hr",
      arguments: [
        "--join", serf.address.description, "--tag", "role=web",
        "--event-handler", "user:deploy,member-join=\(handler("rumor"))",
        "--event-handler", "query:greet=echo hello from $SERF_SELF_NAME",
      ])
    var newcomer: SerfAgent?
    defer {
      serf.stop(signal: SIGKILL)
      rumor.stop(signal: SIGKILL)
      newcomer?.stop(signal: SIGKILL)
    }
    #expect(await eventually(within: 20) { await serf.members()["hr"]?.status == "alive" })
    try await Task.sleep(for: .seconds(1))
    newcomer = try SerfAgent(
      name: "newcomer", join: [serf.address], arguments: ["-tag", "role=db"])
    guard let serfExecutable else { return }
    #expect(await eventually(within: 20) { await serf.members()["newcomer"]?.status == "alive" })
    let send = try ChildProcess(
      serfExecutable, ["event", "-rpc-addr=127.0.0.1:\(serf.rpcPort)", "deploy", "v1"])
    await send.exit()

    /// The (environment, input) of each finished run on one side, by event.
    func runs(_ side: String, _ event: String) -> [(env: [String: String], input: String)] {
      let folder = directory.appendingPathComponent(side)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      return names.filter { $0.hasPrefix(event + "-") && $0.hasSuffix(".env") }.sorted().compactMap
      {
        name in
        let base = folder.appendingPathComponent(String(name.dropLast(4))).path
        guard let env = try? String(contentsOfFile: base + ".env", encoding: .utf8),
          let input = try? String(contentsOfFile: base + ".in", encoding: .utf8)
        else { return nil }
        var variables: [String: String] = [:]
        for line in env.split(separator: "\n") {
          let parts = line.split(separator: "=", maxSplits: 1)
          variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return (variables, input)
      }
    }
    #expect(
      await eventually(within: 20) {
        ["serf", "rumor"].allSatisfy { side in
          !runs(side, "user").isEmpty
            && runs(side, "member-join").contains { $0.input.hasPrefix("newcomer\t") }
        }
      })
    let serfEvent = try #require(runs("serf", "user").first)
    let rumorEvent = try #require(runs("rumor", "user").first)
    for key in ["SERF_EVENT", "SERF_USER_EVENT", "SERF_USER_LTIME"] {
      #expect(
        rumorEvent.env[key] == serfEvent.env[key], "\(key): \(rumorEvent.env) vs \(serfEvent.env)")
    }
    #expect(rumorEvent.env["SERF_EVENT"] == "user" && rumorEvent.input == serfEvent.input)
    #expect(serfEvent.input == "v1\n")
    #expect(rumorEvent.env["SERF_SELF_NAME"] == "hr" && serfEvent.env["SERF_SELF_NAME"] == "hs")
    #expect(rumorEvent.env["SERF_SELF_ROLE"] == "web" && rumorEvent.env["SERF_TAG_ROLE"] == "web")
    #expect(serfEvent.env["SERF_SELF_ROLE"] == "cache" && serfEvent.env["SERF_TAG_ROLE"] == "cache")
    // The newcomer's join: the same member line on both sides.
    let serfJoin = runs("serf", "member-join").first { $0.input.hasPrefix("newcomer\t") }
    let rumorJoin = runs("rumor", "member-join").first { $0.input.hasPrefix("newcomer\t") }
    #expect(
      rumorJoin?.input == serfJoin?.input
        && rumorJoin?.input == "newcomer\t127.0.0.1\tdb\trole=db\n")
    #expect(rumorJoin?.env["SERF_EVENT"] == "member-join")
    // A query handler's output is the response.
    let query = try ChildProcess(
      serfExecutable,
      ["query", "-rpc-addr=127.0.0.1:\(serf.rpcPort)", "-format=json", "-timeout=3s", "greet", ""])
    await query.exit()
    let object = try? JSONSerialization.jsonObject(with: Data(query.log.utf8)) as? [String: Any]
    let responses = object?["Responses"] as? [String: Any] ?? [:]
    #expect((responses["hr"] as? String)?.hasPrefix("hello from hr") == true, "\(query.log)")
  }
}
