import CommandLineSupport
import Rumor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `rumor rtt`: the round trip between two members estimated from their
/// network coordinates, as `serf rtt` prints it.
enum RTTCommand {
  static let summary = "Estimate the round trip between two members from their network coordinates"
  static let help = """
    Usage: rumor rtt NODE [NODE2] [--agent IP:PORT] [--json]
           rumor rtt NODE [NODE2] --peer HOST:PORT [--config FILE] [--encrypt BASE64KEY]
                     [--label LABEL] [--timeout SECONDS] [--bind HOST:PORT] [--json]

    Prints the round trip between NODE and NODE2 estimated from their
    network coordinates (Serf's Vivaldi coordinates: Euclidean distance
    plus both heights and both adjustments), as `serf rtt` does:
      Estimated NODE <-> NODE2 rtt: 0.412 ms
    Rumor and Serf members share one coordinate space, so either can be a
    Serf agent.

    By default it asks the local agent's HTTP API for the coordinates it
    holds (GET /v1/coordinate/NODE), as `serf rtt` asks its agent; without
    NODE2 the estimate is from the agent's own node. A member's coordinate
    reaches the agent in the acks to the agent's probes, within about one
    probe interval per member after it joined.

    With --peer, no agent is needed: the command starts a short-lived node
    (named rumor-rtt-PID-N, N random) that joins the cluster through --peer,
    pings members until it has the coordinates of both (about one probe
    interval per member, at most --timeout), then leaves; without NODE2 the
    estimate is from the --peer node. The cluster sees it join and leave,
    and Serf agents list it as left until they reap it. The coordinates
    printed are the members' own, not this node's estimates.

    Options:
    \(AgentOptions.help)
    \(PeerOptions.help)
                         (with --peer the default is 15: the time to join and probe)
      --bind HOST:PORT   where the short-lived node listens (default: 127.0.0.1,
                         any port, when --peer is on loopback; else 0.0.0.0, any port)
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      --json             {from, to, rtt_ms, from_coordinate, to_coordinate}
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor rtt"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + AgentOptions.options + [
        .init(name: "config", takesValue: true), .init(name: "bind", takesValue: true),
        .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 2)
    guard let first = parsed.positional.first else {
      throw .usage("one or two node names are required", command: command)
    }
    if try parsed.value("peer") != nil, try parsed.value("agent") != nil {
      throw .usage("--agent and --peer are two ways to ask: give one", command: command)
    }
    guard let target = try await PeerOptions.target(parsed, command: command, defaultTimeout: 15)
    else {
      if try parsed.value("bind") != nil {
        throw .usage("--bind is for the short-lived node of --peer", command: command)
      }
      let outcome = try await estimateThroughAgent(
        from: first, to: parsed.positional.dropFirst().first, parsed, command: command)
      return report(outcome, json: parsed.flag("json"), console: console)
    }
    let bind =
      try parsed.value("bind").map { text throws(CommandError) in
        try NodeOptions.address(text, option: "bind", command: command)
      }
      ?? (target.peer.ipBytes.first == 127
        ? NodeAddress(ipv4: 127, 0, 0, 1, port: 0) : NodeAddress(ipv4: 0, 0, 0, 0, port: 0))
    let node: RumorNode
    do {
      node = try RumorNode.start(
        NodeConfiguration(
          name: "rumor-rtt-\(getpid())-\(UInt16.random(in: .min ... .max))", bind: bind,
          settings: probingSettings(),
          keys: target.keys, label: target.label))
    } catch {
      throw .failure("cannot start the short-lived node: \(error)")
    }
    do {
      let outcome = try await estimate(
        from: first, to: parsed.positional.dropFirst().first, through: target, node: node)
      await node.leave(timeout: .seconds(2))
      await node.shutdown()
      report(outcome, json: parsed.flag("json"), console: console)
    } catch {
      await node.shutdown()
      throw error
    }
  }

  /// Prints `outcome` as `serf rtt` does, or as JSON.
  static func report(_ outcome: Outcome, json: Bool, console: Console) {
    if json {
      console.out(
        JSONValue.object([
          ("from", .string(outcome.from)), ("to", .string(outcome.to)),
          ("rtt_ms", .number(outcome.milliseconds)),
          ("from_coordinate", AgentJSON.coordinate(outcome.fromCoordinate)),
          ("to_coordinate", AgentJSON.coordinate(outcome.toCoordinate)),
        ]).text)
    } else {
      console.out(
        "Estimated \(outcome.from.logField) <-> \(outcome.to.logField) rtt: \(format(outcome.milliseconds)) ms"
      )
    }
  }

  /// Asks the local agent for both coordinates (`GET /v1/coordinate`);
  /// without `second`, the other end is the agent's own node.
  static func estimateThroughAgent(
    from first: String, to second: String?, _ parsed: ArgumentList, command: String
  ) async throws(CommandError) -> Outcome {
    func coordinate(_ target: String) async throws(CommandError) -> (String, SerfCoordinate) {
      let (status, json) = try await AgentOptions.get(target, parsed, command: command)
      guard status == 200 else {
        throw .failure("the agent answered \(status): \(AgentOptions.message(json))")
      }
      guard case .string(let name)? = json["node"], let value = json["coordinate"],
        let coordinate = AgentJSON.coordinate(from: value)
      else { throw .failure("the agent's answer is not a coordinate: \(json.text)") }
      return (name, coordinate)
    }
    let (_, one) = try await coordinate("/v1/coordinate/\(AgentOptions.segment(first))")
    let (other, two) = try await coordinate(
      second.map { "/v1/coordinate/\(AgentOptions.segment($0))" } ?? "/v1/coordinate")
    guard let rtt = one.estimatedRoundTrip(to: two) else {
      throw .failure(
        "the coordinates of \(first.logField) and \(other.logField) do not fit together")
    }
    return Outcome(
      from: first, to: other, milliseconds: milliseconds(rtt), fromCoordinate: one,
      toCoordinate: two)
  }

  /// A duration in milliseconds.
  static func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
  }

  /// What the command found.
  struct Outcome {
    var from: String
    var to: String
    var milliseconds: Double
    var fromCoordinate: SerfCoordinate
    var toCoordinate: SerfCoordinate
  }

  /// Probes faster than a LAN member (every 500 ms), so that a member's
  /// coordinate arrives soon; with the LAN timeout, so that a slow answer
  /// is not taken for a failure.
  static func probingSettings() -> SWIMSettings {
    var settings = SWIMSettings(profile: .lan)
    settings.probeInterval = .milliseconds(500)
    settings.probeTimeout = .milliseconds(400)
    return settings
  }

  /// Joins through the peer and waits for both coordinates.
  static func estimate(
    from first: String, to second: String?, through target: PeerOptions.Target, node: RumorNode
  ) async throws(CommandError) -> Outcome {
    do {
      _ = try await node.join(addresses: [target.peer])
    } catch {
      throw .failure("cannot join through \(target.peer): \(error)")
    }
    let deadline = ContinuousClock.now + .milliseconds(Int64(target.timeout * 1000))
    var other = second
    // Bounded: one look every 100 ms until the deadline.
    while ContinuousClock.now < deadline {
      if other == nil {
        other = node.members.first { $0.address == target.peer && $0.name != node.name }?.name
      }
      if let other, let one = node.coordinate(of: first), let two = node.coordinate(of: other),
        let rtt = one.estimatedRoundTrip(to: two)
      {
        return Outcome(
          from: first, to: other, milliseconds: milliseconds(rtt), fromCoordinate: one,
          toCoordinate: two)
      }
      try? await Task.sleep(for: .milliseconds(100))
    }
    let names = [first] + (other.map { [$0] } ?? [])
    let missing = names.filter { node.coordinate(of: $0) == nil }
    let known = Set(node.members.map(\.name))
    let reasons = missing.map { name in
      known.contains(name)
        ? "\(name.logField) sent no coordinate (coordinates off on it?)"
        : "\(name.logField) is not a member"
    }
    let waited = DurationText.format(.milliseconds(Int64(target.timeout * 1000)))
    throw .failure(
      "no coordinate within \(waited): \(reasons.isEmpty ? "the peer sent none" : reasons.joined(separator: "; "))"
    )
  }

  /// Milliseconds with three decimals, as `serf rtt` prints them.
  static func format(_ milliseconds: Double) -> String {
    let thousandths = Int64((milliseconds * 1000).rounded())
    let whole = thousandths / 1000
    let fraction = String(thousandths % 1000)
    return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
