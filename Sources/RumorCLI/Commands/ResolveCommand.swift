import CommandLineSupport
import Rumor

/// `rumor resolve`: the URL of a service, as `url(for:path:)` gives it.
enum ResolveCommand {
  static let summary = "Print the URL of a healthy instance of a service"
  static let help = """
    Usage: rumor resolve NAME [PATH] [--agent IP:PORT | --peer HOST:PORT | --no-agent]
                         [--config FILE] [--explain] [--json]

    Prints the URL of NAME (with PATH appended) and nothing else, as the
    local agent resolves it (GET /v1/resolve/NAME?path=PATH, with the
    agent's environment and configuration). With --peer or --no-agent it
    resolves here instead, in Rumor's order:
      1. <NAME>_HOST / <NAME>_PORT in the environment
      2. a healthy instance in the gossip view of --peer (member alive,
         service passing, or warning when nothing passes)
      3. services.NAME or load_balancers.NAME in the configuration file
      4. the deployment mode's convention (local: localhost, docker_local:
         autobot-NAME, distributed: NAME-01.DOMAIN, kubernetes:
         NAME-service.NAMESPACE.svc.cluster.local) with the default port
    With --no-agent, step 2 is skipped. An answer from step 4 comes with a
    note on stderr saying so (and how the mode was chosen): a convention is
    a guess about host names, not a member that was seen. Exits 1, with
    the reason on stderr, when no step gives a URL, or when no agent
    answers.

    Options:
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      --explain          also print each step: what it found, what it skipped and why
      --json             {service, url, source, node, explanation} instead of the URL
    \(ServiceCommands.noAgentHelp)
    \(AgentOptions.help)
    \(PeerOptions.help)

    Examples:
      rumor resolve ai-stack /api/process --explain   # as the local agent resolves it
      AUTOBOT_DEPLOYMENT_MODE=docker_local rumor resolve redis --no-agent   # redis://autobot-redis:6379
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor resolve"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + AgentOptions.options + [
        .init(name: "no-agent", takesValue: false),
        .init(name: "config", takesValue: true), .init(name: "explain", takesValue: false),
        .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 2)
    guard let name = parsed.positional.first else {
      throw .usage("the service name is missing", command: command)
    }
    try ServiceCommands.validate([name], command: command)
    let path = parsed.positional.count > 1 ? parsed.positional[1] : ""
    if try ServiceCommands.asksAgent(parsed) {
      return try await fromAgent(name, path: path, parsed, command: command, console: console)
    }
    let registry = try await ServiceCommands.registry(parsed, command: command)
    let resolution: Resolution
    do {
      resolution = try registry.resolve(name, path: path)
    } catch {
      if parsed.flag("explain") {
        for (index, line) in error.tried.enumerated() { console.err("\(index + 1). \(line)") }
      }
      throw .failure(error.description)
    }
    if parsed.flag("json") {
      console.out(
        JSONValue.object([
          ("service", .string(name)), ("url", .string(resolution.url.description)),
          ("source", .string(resolution.source.rawValue)),
          ("node", resolution.instance.map { .string($0.node) } ?? .null),
          ("explanation", .array(resolution.explanation.map(JSONValue.string))),
        ]).text)
      return
    }
    console.out(resolution.url.description)
    let askedPeer = (try? parsed.value("peer")) != nil
    if let note = conventionNote(resolution, registry: registry, askedPeer: askedPeer) {
      console.err(note)
    }
    if parsed.flag("explain") {
      for (index, line) in resolution.explanation.enumerated() {
        console.out("\(index + 1). \(line)")
      }
      console.out("answered by: \(resolution.source)")
    }
  }

  /// Asks the local agent (`GET /v1/resolve/NAME?path=PATH`).
  private static func fromAgent(
    _ name: String, path: String, _ parsed: ArgumentList, command: String, console: Console
  ) async throws(CommandError) {
    var target = "/v1/resolve/\(AgentOptions.encoded(name))"
    if !path.isEmpty { target += "?path=\(AgentOptions.encoded(path))" }
    let (status, json) = try await AgentOptions.get(target, parsed, command: command)
    func lines(_ key: String) -> [String] {
      guard case .array(let values)? = json[key] else { return [] }
      return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
    guard status == 200, case .string(let url)? = json["url"] else {
      if parsed.flag("explain") {
        for (index, line) in lines("tried").enumerated() { console.err("\(index + 1). \(line)") }
      }
      throw .failure(AgentOptions.message(json))
    }
    if parsed.flag("json") {
      console.out(
        JSONValue.object([
          ("service", .string(name)), ("url", .string(url)),
          ("source", json["source"] ?? .null), ("node", json["node"] ?? .null),
          ("explanation", json["explanation"] ?? .array([])),
        ]).text)
      return
    }
    console.out(url)
    if json["source"] == "convention" {
      // As for an answer resolved here: a convention is a guess.
      console.err(
        "note: \(url) is the deployment mode's convention, not a gossip answer: the agent knows no member offering a healthy \(name.logField)"
      )
    }
    if parsed.flag("explain") {
      for (index, line) in lines("explanation").enumerated() {
        console.out("\(index + 1). \(line)")
      }
      if case .string(let source)? = json["source"] { console.out("answered by: \(source)") }
    }
  }

  /// The line that says an answer is the mode's convention, not gossip,
  /// or nil for any other answer. Without it, a convention that names a
  /// host nobody runs (`autobot-redis` in a container) looks like a
  /// gossip answer.
  static func conventionNote(
    _ resolution: Resolution, registry: ServiceRegistry, askedPeer: Bool
  ) -> String? {
    guard resolution.source == .convention else { return nil }
    let detection = registry.configuration.detection
    let gossip =
      askedPeer
      ? "no member offers a healthy \(resolution.service.logField)"
      : "no node was asked (give --peer HOST:PORT)"
    var note =
      "note: \(resolution.url) is the \(detection.mode) mode's convention, not a gossip answer: \(gossip)"
    switch detection.reason {
    case .configured, .variable: break
    default:
      note +=
        "; the mode was detected (\(detection.explanation)): set \(EnvironmentVariable.deploymentMode) to choose another"
    }
    return note
  }
}
