import CommandLineSupport
import Dispatch
import Foundation
import Rumor

/// `rumor agent`: runs a node until SIGINT or SIGTERM, logging membership.
enum AgentCommand {
  static let summary = "Run a node until interrupted, logging joins, failures and leaves"
  static let help = """
    Usage: rumor agent --name NAME [--bind HOST:PORT] [--advertise HOST:PORT]
                       [--join HOST:PORT]... [--tag KEY=VALUE]... [--encrypt BASE64KEY]
                       [--label LABEL] [--profile lan|wan|local]

    Runs a Rumor node until SIGINT or SIGTERM; then it leaves gracefully
    (others see it as left, not failed) and stops. It speaks memberlist and
    Serf, so `serf agent`s can be peers. Logs one line per join, update,
    failure and leave.

    Options:
      --name NAME           this node's unique name (required)
      --bind HOST:PORT      where to listen, UDP and TCP (default 127.0.0.1:7946;
                            port 0 picks a free port)
      --advertise HOST:PORT the address to give others, if not the bind address
      --join HOST:PORT      a member to join through; repeat for more; a name joins
                            every address it resolves to
      --tag KEY=VALUE       a tag to gossip (Serf-compatible); repeat for more
      --encrypt KEY         the cluster's AES key, base64 (see 'rumor keygen')
      --label LABEL         the cluster's label (nodes with another label are ignored)
      --profile P           lan (default), wan or local: memberlist's timings
      --leave-timeout S     how long to spread the leave before stopping (default 5)
      --fast-crash-detection
                            declare a member dead one probe interval after a
                            connection to it is refused (its process is gone),
                            instead of waiting out the suspicion timeout

    Exit status: 0 after a clean stop, 1 if the node cannot start or join, 2
    for a bad command line.
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor agent"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        "name", "bind", "advertise", "join", "tag", "encrypt", "label", "profile", "leave-timeout",
      ].map { ArgumentList.Option(name: $0, takesValue: true) }
        + [ArgumentList.Option(name: "fast-crash-detection", takesValue: false)])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    guard let name = try parsed.value("name"), !name.isEmpty else {
      throw .usage("--name is required", command: command)
    }
    var configuration = NodeConfiguration(name: name)
    if let bind = try parsed.value("bind") {
      configuration.bind = try NodeOptions.address(bind, option: "bind", command: command)
    }
    if let advertise = try parsed.value("advertise") {
      configuration.advertise = try NodeOptions.address(
        advertise, option: "advertise", command: command)
    }
    configuration.settings = SWIMSettings(
      profile: try NodeOptions.profile(try parsed.value("profile"), command: command))
    configuration.settings.refusedConnectionIsFailure = parsed.flag("fast-crash-detection")
    configuration.tags = try NodeOptions.tags(parsed.values("tag"), command: command)
    configuration.keys = try NodeOptions.keys(parsed.values("encrypt"))
    configuration.label = try parsed.value("label") ?? ""
    let leaveTimeout =
      try NodeOptions.seconds(
        try parsed.value("leave-timeout"), option: "leave-timeout", command: command) ?? 5
    let signals = SignalWaiter()
    let node: RumorNode
    do {
      node = try RumorNode.start(configuration)
    } catch {
      throw .failure("cannot start: \(error)")
    }
    let log = Task { await logEvents(of: node, console: console) }
    console.out(
      "\(timestamp()) started \(node.name) on \(node.boundAddress), advertising \(node.address)")
    let seeds = parsed.values("join")
    if !seeds.isEmpty {
      do {
        let answered = try await node.join(seeds)
        console.out(
          "\(timestamp()) joined the cluster through \(answered) of \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
        )
      } catch {
        await node.shutdown()
        log.cancel()
        throw .failure("\(error)")
      }
    }
    let received = await signals.next()
    console.out("\(timestamp()) \(received), leaving the cluster")
    await node.leave(timeout: .milliseconds(Int64(leaveTimeout * 1000)))
    await node.shutdown()
    _ = await log.value
    console.out("\(timestamp()) stopped")
  }

  private static func logEvents(of node: RumorNode, console: Console) async {
    for await event in node.events() {
      let member = event.member
      let verb: String
      switch event {
      case .joined: verb = "joined"
      case .updated: verb = "updated"
      case .suspected: verb = "suspect"
      case .recovered: verb = "recovered"
      case .failed: verb = "failed"
      case .left: verb = "left"
      }
      console.out(
        "\(timestamp()) \(verb) \(member.name) \(member.address) incarnation \(member.incarnation)")
    }
  }

  static func timestamp() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date())
  }
}

/// Waits for SIGINT or SIGTERM (which no longer kill the process once
/// this exists) and says which came.
final class SignalWaiter {
  private let stream: AsyncStream<String>
  private let sources: [any DispatchSourceSignal]

  init() {
    let (stream, continuation) = AsyncStream<String>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { continuation.yield(name) }
      source.resume()
      sources.append(source)
    }
    self.stream = stream
    self.sources = sources
  }

  /// The next signal's name.
  func next() async -> String {
    for await name in stream { return name }
    return "end of signals"
  }
}
