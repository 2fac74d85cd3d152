import CommandLineSupport
import Rumor
import Testing

@testable import RumorCLI

/// Runs the command line and captures what it prints.
func runRumor(_ arguments: [String]) async -> (status: Int32, out: [String], err: [String]) {
  final class Capture: @unchecked Sendable {
    // @unchecked: written only by the command, on this thread, before it returns.
    var out: [String] = []
    var err: [String] = []
  }
  let capture = Capture()
  let status = await RumorCommandLine.run(
    arguments, console: Console(out: { capture.out.append($0) }, err: { capture.err.append($0) }))
  return (status, capture.out, capture.err)
}

/// Runs the command line against an agent in this test process, asking
/// again (up to three times) when the agent did not answer within the
/// command's timeout: under the whole suite's load the process can stall
/// for longer than that (once for 96 s in CI), and these tests are about
/// what the agent answers, not how fast.
func runRumorAgainstLocalAgent(_ arguments: [String]) async -> (
  status: Int32, out: [String], err: [String]
) {
  var result = await runRumor(arguments)
  for _ in 0..<2 where result.err.count == 1 && result.err[0].contains("did not answer in time") {
    result = await runRumor(arguments)
  }
  return result
}

/// Starts a node from `configuration` with the agent's HTTP API in
/// front of it on a free loopback port, in local mode, for the commands
/// that ask the agent.
func startAgentAPI(
  _ configuration: NodeConfiguration,
  authorization: WriteAuthorization = WriteAuthorization(token: nil)
) throws -> (node: RumorNode, api: AgentAPI) {
  let node = try RumorNode.start(configuration)
  let registry = ServiceRegistry(
    configuration: try ConfigurationLoader.effective(
      DiscoveryConfiguration(mode: .local), host: HostEnvironment(variables: [:])),
    node: node)
  let api = try AgentAPI(
    node: node, registry: registry, bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0),
    authorization: authorization)
  return (node, api)
}

@Suite("The rumor command line")
struct CommandLineTests {
  @Test("decode prints one JSON object per message with its envelopes")
  func decodeCompound() async {
    // The captured ack with a piggybacked leave (memberlist 0.2.2).
    let result = await runRumor([
      "decode", "--hex",
      "0702001200270282a75061796c6f6164c0a55365714e6f020583a446726f6da66e6f64652d62ab496e6361726e6174696f6e01a44e6f6465a66e6f64652d62",
    ])
    #expect(result.status == 0)
    #expect(result.err.isEmpty)
    #expect(
      result.out == [
        #"{"type":"ack","seq_no":2,"payload":null,"via":["compound:1/2"]}"#,
        #"{"type":"dead","incarnation":1,"node":"node-b","from":"node-b","leave":true,"via":["compound:2/2"]}"#,
      ])
  }

  @Test("decode decrypts with --key and decodes Serf messages inside user messages")
  func decodeEncryptedSerfLeave() async {
    // Frame 33 of the encrypted Serf capture: the leave intent.
    let result = await runRumor([
      "decode", "--key", "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y=", "--hex",
      "017482232f8737b98ab05f7c8239d064644046e61535de051ffe2478dd1883d9490d579dc9d812747204df4837dc49034d1a03edc8c158266ccdf564779c",
    ])
    #expect(result.status == 0)
    #expect(
      result.out == [
        #"{"type":"user","payload":"0083a54c54696d6502a44e6f6465a56361702d62a55072756e65c2","serf":{"type":"leave","ltime":2,"node":"cap-b","prune":false},"via":["encrypted:v1:key1","crc:0x0d97d50e"]}"#
      ])
  }

  @Test("decode of a stream prints the push-pull nodes with their tags and Serf state")
  func decodeStream() async throws {
    let result = await runRumor([
      "decode", "--stream", "--hex",
      "0683a44a6f696ec3a54e6f64657301ac5573657253746174654c656e0287a441646472a47f000001ab496e6361726e6174696f6e01a44d657461abff81a4726f6c65a3776562a44e616d65a66e6f64652d62a4506f7274cd461ba5537461746500a356736ea60105020205055553",
    ])
    #expect(result.status == 0)
    let line = try #require(result.out.first)
    #expect(line.contains(#""nodes":[{"name":"node-b","addr":"127.0.0.1","port":17947"#))
    #expect(line.contains(#""tags":{"role":"web"}"#))
    // The user state "US" is not a Serf message Rumor knows: shown, not an error.
    #expect(line.contains(#""user_state":"5553","serf":{"type":"type_85","type_byte":85"#))
    #expect(result.err.isEmpty)
  }

  @Test("malformed input is one line on stderr naming the byte, and exit 1")
  func malformed() async {
    let result = await runRumor(["decode", "--hex", "0082a44e6f6465"])
    #expect(result.status == 1)
    #expect(result.out.isEmpty)
    #expect(result.err.count == 1)
    #expect(result.err.first?.hasPrefix("rumor decode: ") == true)
    #expect(result.err.first?.contains("at byte") == true)
  }

  @Test("an encrypted payload without --key suggests passing the key")
  func encryptedHint() async {
    let payload = "01" + String(repeating: "ab", count: 40)
    let result = await runRumor(["decode", "--hex", payload])
    #expect(result.status == 1)
    #expect(result.err.first?.contains("--key") == true)
  }

  @Test("a wrong key is a failure that says no key decrypts the payload")
  func wrongKey() async {
    let result = await runRumor([
      "decode", "--key", "AAAAAAAAAAAAAAAAAAAAAA==", "--hex",
      "01" + String(repeating: "ab", count: 40),
    ])
    #expect(result.status == 1)
    #expect(result.err.first?.contains("decrypt") == true)
  }

  @Test("bad command lines exit 2 with one line that says what was wrong")
  func usageErrors() async {
    for arguments in [
      ["decode"], ["decode", "--hex"], ["decode", "--bogus"],
      ["decode", "--hex", "00", "--file", "x"],
      ["decode", "--hex", "0g"], ["decode", "--hex", "00", "extra"], ["frobnicate"], [],
      ["keygen", "--json=yes"],
    ] {
      let result = await runRumor(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(!result.err.isEmpty, "\(arguments)")
    }
  }

  @Test("a key that is not base64 or has the wrong length is a clear usage error (exit 2)")
  func badKeys() async {
    // Exit 2 as for every bad command line, as `rumor keys --install`
    // already did (exit 1 before 2026-12-07).
    let notBase64 = await runRumor(["decode", "--key", "%%%", "--hex", "00"])
    #expect(notBase64.status == 2)
    #expect(notBase64.err.first?.contains("not base64") == true)
    let short = await runRumor(["decode", "--key", "AAEC", "--hex", "00"])
    #expect(short.status == 2)
    #expect(short.err.first?.contains("16, 24 or 32 bytes") == true)
  }

  @Test("every command has --help")
  func help() async {
    for command in RumorCommandLine.commands.map(\.name) where command != "version" {
      let result = await runRumor([command, "--help"])
      #expect(result.status == 0)
      #expect(result.out.first?.hasPrefix("Usage: rumor \(command)") == true, "\(command)")
    }
    #expect(await runRumor(["--help"]).out.first?.contains("Rumor") == true)
  }

  @Test("with --key, a payload that is not encrypted is still decoded as plaintext")
  func keyWithPlaintext() async {
    let result = await runRumor([
      "decode", "--key", "AAAAAAAAAAAAAAAAAAAAAA==", "--hex",
      "0282a75061796c6f6164c0a55365714e6f01",
    ])
    #expect(result.status == 0)
    #expect(result.out == [#"{"type":"ack","seq_no":1,"payload":null,"via":[]}"#])
  }

  @Test("keygen prints a 32-byte base64 key, different every time")
  func keygen() async throws {
    let first = try #require(await runRumor(["keygen"]).out.first)
    let second = try #require(await runRumor(["keygen"]).out.first)
    #expect(first.count == 44)
    #expect(first != second)
    #expect(
      await runRumor(["decode", "--key", first, "--hex", "0282a75061796c6f6164c0a55365714e6f01"])
        .status
        == 0)
  }

  @Test("the demo resolves every service, fails over from a failing check and a killed node")
  func demo() async {
    let result = await runRumor(["demo"])
    #expect(result.status == 0, "\(result.err)")
    let text = result.out.joined(separator: "\n")
    #expect(text.contains("8 members, 7 service instances passing"), "\(text)")
    for name in ["redis", "backend", "ai-stack", "npu-worker", "frontend"] {
      let padded = name.padding(toLength: 15, withPad: " ", startingAt: 0)
      #expect(result.out.contains { $0.hasPrefix("✅ \(padded) → ") && $0.contains("(gossip: ") })
      #expect(result.out.contains { $0.hasPrefix("✅ \(padded) → healthy (") })
      // The two tables agree: the health check probed the URL and node
      // the resolution table shows.
      let resolved = result.out.first { $0.hasPrefix("✅ \(padded) → ") && $0.contains("(gossip: ") }
      let checked = result.out.first { $0.hasPrefix("✅ \(padded) → healthy (") }
      let url = resolved?.split(separator: " ").first { $0.contains("://") }
      let node = resolved?.split(separator: "(gossip: ").last?.split(separator: ",").first
      #expect(
        url.map { checked?.contains(" \($0) on ") == true } == true
          && node.map { checked?.hasSuffix(" on \($0)") == true } == true,
        "resolution: \(resolved ?? "-"); health: \(checked ?? "-")")
    }
    #expect(text.contains("api-1 gossiped health.backend=critical"))
    // After the failing check, backend resolves to api-2 only; after the
    // kill, redis to cache-2 only.
    let afterCheck = result.out.drop { !$0.contains("api-1 gossiped") }.dropFirst().prefix(2)
    #expect(
      afterCheck.count == 2 && afterCheck.allSatisfy { $0.contains("api-2") }, "\(afterCheck)")
    let afterKill = result.out.drop { !$0.contains("stopped using it") }.dropFirst().prefix(1)
    #expect(afterKill.first?.contains("(gossip: cache-2, passing)") == true, "\(afterKill)")
    #expect(text.contains("all 7 survivors declared cache-1 failed"))
    #expect(text.contains("skipped cache-1"))
  }
}

@Suite("Errors of the node commands")
struct NodeCommandErrorTests {
  @Test("members of an unreachable peer is one line on stderr and exit 1")
  func unreachablePeer() async {
    let result = await runRumor(["members", "--peer", "127.0.0.1:1", "--timeout", "2"])
    #expect(result.status == 1)
    #expect(result.err.count == 1)
    #expect(result.err.first?.contains("127.0.0.1:1") == true)
  }

  @Test("members and agent refuse bad flags with exit 2")
  func usage() async {
    for arguments in [
      ["members", "--agent", "x:y"], ["members", "--peer", "x:y"],
      ["members", "--peer", "127.0.0.1:1", "--status", "dead"],
      ["agent", "--name", "", "--bind", "127.0.0.1:0"],
      ["agent", "--name", "a", "--bind", "nonsense"],
      ["agent", "--name", "a", "--profile", "fast"],
      ["agent", "--name", "a", "--tag", "novalue"], ["demo", "--nodes", "2"],
      ["demo", "--profile", "fast"],
      // Two ways to ask at once: one of them was silently ignored.
      ["members", "--peer", "127.0.0.1:1", "--agent", "127.0.0.1:1"],
      ["services", "--peer", "127.0.0.1:1", "--agent", "127.0.0.1:1"],
      ["resolve", "redis", "--peer", "127.0.0.1:1", "--no-agent"],
      ["health", "redis", "--peer", "127.0.0.1:1", "--no-agent"],
      // A key that is not one is a bad command line, not a failure (exit 1).
      ["members", "--peer", "127.0.0.1:1", "--encrypt", "abc"],
      ["agent", "--name", "a", "--bind", "127.0.0.1:0", "--encrypt", "AAAA"],
      ["decode", "--hex", "02", "--key", "abc"],
      // A NAME that cannot be a service ("environment: BAD NAME_HOST not set").
      ["resolve", "Bad Name", "--no-agent"], ["resolve", "", "--no-agent"],
      ["health", "Redis", "--no-agent"], ["services", "a b", "--agent", "127.0.0.1:1"],
      // The any-address as what others are to reach (its join fails
      // before the fix: exit 1, not a hang).
      [
        "agent", "--name", "a", "--bind", "127.0.0.1:0", "--http", "off", "--advertise",
        "0.0.0.0:7000", "--join", "127.0.0.1:1",
      ],
    ] {
      let result = await runRumor(arguments)
      #expect(result.status == 2, "\(arguments): \(result.err)")
      #expect(result.err.count == 1, "\(arguments)")
    }
  }

  @Test("--agent with a host name says to give the agent's IP and port, not a listen address")
  func agentNeedsNumericAddress() async {
    // The HTTP API's listen rules said "nor 'off'" and "0.0.0.0:7947 for
    // every interface", which a client cannot use.
    let result = await runRumor(["members", "--agent", "localhost:7947"])
    #expect(result.status == 2)
    #expect(
      result.err == [
        "rumor members: --agent: 'localhost:7947' is not a numeric IP address; give the agent's HTTP API as IP:PORT (127.0.0.1:7947 on this machine) (see 'rumor members --help')"
      ])
  }

  @Test("an agent on a port in use fails with a clear reason and exit 1")
  func portInUse() async throws {
    let holder = try RumorNode.start(
      NodeConfiguration(name: "holder", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    let result = await runRumor([
      "agent", "--name", "second", "--bind", holder.boundAddress.description,
    ])
    #expect(result.status == 1)
    #expect(result.err.first?.contains("in use") == true, "\(result.err)")
    await holder.shutdown()
  }

  @Test("a DNS address in use names --dns, not the gossip port's --bind")
  func dnsPortInUse() async throws {
    let holder = try RumorNode.start(
      NodeConfiguration(name: "holder", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    let result = await runRumor([
      "agent", "--name", "dns-second", "--bind", "127.0.0.1:0", "--http", "off",
      "--dns", holder.boundAddress.description,
    ])
    #expect(result.status == 1)
    #expect(result.err.first?.contains("pick another with --dns") == true, "\(result.err)")
    #expect(result.err.first?.contains("--bind") == false, "\(result.err)")
    await holder.shutdown()
  }

  @Test("a bad --dns-domain is refused without --dns too, not silently unused")
  func dnsDomainCheckedWithoutDNS() async throws {
    let node = try RumorNode.start(
      NodeConfiguration(name: "dns-domain", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    let parsed = try ArgumentList(
      ["--dns-domain", "a b"], command: "rumor agent",
      options: AgentDNS.options.map { ArgumentList.Option(name: $0, takesValue: true) } + [
        .init(name: "config", takesValue: true)
      ])
    #expect(throws: CommandError.self) {
      _ = try AgentDNS.start(parsed, node: node, command: "rumor agent")
    }
    await node.shutdown()
  }

  @Test("a write refused for want of a token says which variable carries it")
  func writeWithoutToken() async throws {
    // Before 2026-12-07 the CLI passed on the agent's "writes need
    // Authorization: Bearer TOKEN (the agent's --http-token)", which names
    // neither the variable the CLI sends nor how to set it.
    let (node, api) = try startAgentAPI(
      NodeConfiguration(name: "token-api", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)),
      authorization: WriteAuthorization(token: "s3cret"))
    if HostEnvironment.current().variable("RUMOR_HTTP_TOKEN") == nil {
      let result = await runRumorAgainstLocalAgent([
        "event", "x", "--agent", api.address.description,
      ])
      #expect(result.status == 1)
      #expect(result.err.first?.contains("set RUMOR_HTTP_TOKEN") == true, "\(result.err)")
    }
    api.stop()
    await node.shutdown()
  }

  @Test("services through the agent reports a tag that does not parse, as with --peer")
  func servicesWarnThroughAgent() async throws {
    // Before 2026-12-07 only --peer printed the warning cli.md shows; the
    // agent's list leaves such an instance out without a word.
    var configuration = NodeConfiguration(
      name: "legacy-2", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0))
    configuration.tags = ["svc.search": "search-01:9200"]
    let (node, api) = try startAgentAPI(configuration)
    let result = await runRumorAgainstLocalAgent(["services", "--agent", api.address.description])
    #expect(
      result.err.contains {
        $0.hasPrefix("warning: legacy-2: tag svc.search: 'search-01:9200' is not a URL")
      }, "\(result.err)")
    api.stop()
    await node.shutdown()
  }

  @Test("force-leave of the agent itself names the command that makes it leave")
  func forceLeaveSelf() async throws {
    // Before 2026-12-07 the refusal named only the HTTP route.
    let (node, api) = try startAgentAPI(
      NodeConfiguration(name: "self-leave", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0)))
    let result = await runRumorAgainstLocalAgent([
      "force-leave", "self-leave", "--agent", api.address.description,
    ])
    #expect(result.status == 1)
    #expect(result.err.first?.hasSuffix("(rumor leave)") == true, "\(result.err)")
    api.stop()
    await node.shutdown()
  }

  @Test("members with a wrong key says the key is the likely problem")
  func wrongKey() async throws {
    let key = (0..<32).map { UInt8($0) }
    let node = try RumorNode.start(
      NodeConfiguration(name: "keyed", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0), keys: [key]))
    let result = await runRumor([
      "members", "--peer", node.address.description, "--encrypt",
      "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
      "--timeout", "2",
    ])
    #expect(result.status == 1)
    #expect(result.err.first?.contains("key") == true, "\(result.err)")
    await node.shutdown()
  }
}
