import CommandLineSupport
import Rumor
import RumorWire
import Synchronization

/// `rumor monitor`: follows the local agent's log lines and events as
/// they happen, as `serf monitor` does.
enum MonitorCommand {
  static let summary = "Stream the local agent's log and events as they happen (serf monitor)"
  static let help = """
    Usage: rumor monitor [--agent IP:PORT] [--log-level LEVEL] [--json]

    Prints the local agent's recent log lines, then its lines and events
    (members joining, failing, leaving; user events; service health) as
    they happen, from LEVEL up, until Ctrl-C or until the agent stops. Reads
    GET /v1/monitor?level=LEVEL, a Server-Sent Events stream; a monitor
    that reads too slowly is dropped by the agent.

    Options:
    \(AgentOptions.help)
      --log-level LEVEL  debug, info (default), notice, warning or error
      --json             one JSON object per line: {"level", "line"}
    """

  static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor monitor"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: AgentOptions.options + [
        .init(name: "log-level", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    let level = (try parsed.value("log-level") ?? "info").lowercased()
    guard levels.contains(level) else {
      throw .usage(
        "--log-level must be debug, info, notice, warning or error (not '\(level)')",
        command: command)
    }
    let agent = try AgentOptions.address(parsed, command: command)
    let json = parsed.flag("json")
    // Ctrl-C and SIGTERM end the stream; the command then exits 0.
    let signals = ShutdownSignal()
    let stopped = Atomic<Bool>(false)
    let watcher = Task {
      _ = await signals.next()
      stopped.store(true, ordering: .relaxed)
    }
    defer { watcher.cancel() }
    // The agent numbers its records in stream order; one that arrives
    // both among the recent lines and as it happens is shown once.
    let lastShown = Atomic<UInt64>(0)
    @Sendable func show(_ event: ServerSentEvent) {
      guard event.event == "log" else { return }
      if let id = event.id.flatMap({ UInt64($0) }) {
        guard id > lastShown.load(ordering: .relaxed) else { return }
        lastShown.store(id, ordering: .relaxed)
      }
      if json { return console.out(event.data) }
      guard let record = try? JSONParser.parse(Array(event.data.utf8)),
        case .string(let line)? = record["line"]
      else { return }
      console.out(line)
    }
    do {
      try await AgentClient.follow(
        "/v1/monitor?level=\(level)", from: agent, token: AgentOptions.token, timeout: .seconds(5),
        stop: { stopped.load(ordering: .relaxed) }, received: show)
    } catch {
      throw .failure(error.description)
    }
    if !stopped.load(ordering: .relaxed) {
      throw .failure(
        "the agent at \(agent) ended the stream (it stopped, or this monitor read too slowly)")
    }
  }
}
