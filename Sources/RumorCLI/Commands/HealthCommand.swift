import CommandLineSupport
import FoundationEssentials
import Rumor

/// `rumor health`: resolves services and checks them now, from here.
enum HealthCommand {
  static let summary = "Resolve services and check their health now"
  static let help = """
    Usage: rumor health [NAME...] [--agent IP:PORT | --peer HOST:PORT | --no-agent]
                        [--config FILE] [--json]

    Asks the local agent to resolve each service and check that instance
    now (GET /v1/health/NAME; GET /v1/health for all). With --peer or
    --no-agent, resolves as `rumor resolve` does and checks from here.
    Redis gets a PING (expects +PONG), HTTP services a GET of their health
    path (backend /api/system/health, ai-stack and npu-worker /health,
    others /), anything else a TCP connect. Without NAME, every known
    service, every configured one and every one the gossip view holds.

    ✅ backend         → healthy (0.0010s response time) http://127.0.0.1:18001 on api-1
    ❌ redis           → unhealthy (cannot connect to 127.0.0.1:6379: Connection refused) redis://localhost:6379

    Exits 0 when every service checked is healthy, 1 otherwise.

    Options:
      --config FILE      the configuration file (default $RUMOR_CONFIG, or none)
      --json             an object {NAME: {service, status, response_time_ms, error, url, node, source}}
    \(ServiceCommands.noAgentHelp)
    \(AgentOptions.help)
    \(PeerOptions.help)
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor health"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: PeerOptions.options + AgentOptions.options + [
        .init(name: "no-agent", takesValue: false),
        .init(name: "config", takesValue: true), .init(name: "json", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try ServiceCommands.validate(parsed.positional, command: command)
    var reports: [ServiceHealthReport] = []
    if try ServiceCommands.asksAgent(parsed) {
      reports = try await fromAgent(parsed, command: command)
    } else {
      reports = try await checkHere(parsed, command: command)
    }
    if parsed.flag("json") {
      console.out(JSONValue.object(reports.map { ($0.service, AgentJSON.health($0)) }).text)
    } else {
      let width = max(15, reports.map(\.service.count).max() ?? 0)
      for report in reports { console.out(line(report, width: width)) }
    }
    let unhealthy = reports.filter { $0.status != .healthy }.count
    if unhealthy > 0 {
      throw .failure("\(unhealthy) of \(reports.count) service(s) not healthy")
    }
  }

  /// The agent's reports (`GET /v1/health` or `/v1/health/NAME`).
  private static func fromAgent(_ parsed: ArgumentList, command: String) async throws(CommandError)
    -> [ServiceHealthReport]
  {
    // A probe may take the service's timeout; the agent gives up at 30 s.
    let timeout = 35.0
    if parsed.positional.isEmpty {
      let (status, json) = try await AgentOptions.get(
        "/v1/health", parsed, command: command, timeout: timeout)
      guard status == 200, case .object(let fields) = json else {
        throw .failure("the agent answered \(status): \(AgentOptions.message(json))")
      }
      return fields.compactMap { report($0.value, service: $0.key) }
    }
    var reports: [ServiceHealthReport] = []
    for name in parsed.positional {
      let (_, json) = try await AgentOptions.get(
        "/v1/health/\(AgentOptions.encoded(name))", parsed, command: command, timeout: timeout)
      guard let report = report(json, service: name) else {
        throw .failure("the agent answered: \(AgentOptions.message(json))")
      }
      reports.append(report)
    }
    return reports
  }

  /// A report from the agent's JSON.
  private static func report(_ value: JSONValue, service: String) -> ServiceHealthReport? {
    guard case .string(let word)? = value["status"], let status = ServiceStatus(rawValue: word)
    else { return nil }
    func text(_ key: String) -> String? {
      if case .string(let text)? = value[key] { return text }
      return nil
    }
    var responseTime: Duration?
    switch value["response_time_ms"] {
    case .number(let milliseconds)?: responseTime = .microseconds(Int64(milliseconds * 1000))
    case .integer(let milliseconds)?: responseTime = .milliseconds(milliseconds)
    default: break
    }
    return ServiceHealthReport(
      service: service, status: status, responseTime: responseTime, error: text("error"),
      url: text("url").flatMap { try? ServiceURL(parsing: $0) }, node: text("node"),
      source: text("source").flatMap(ResolutionSource.init(rawValue:)))
  }

  /// Resolves and checks from this process.
  private static func checkHere(_ parsed: ArgumentList, command: String) async throws(CommandError)
    -> [ServiceHealthReport]
  {
    let registry = try await ServiceCommands.registry(parsed, command: command)
    let names = parsed.positional.isEmpty ? registry.serviceNames : parsed.positional
    var reports: [ServiceHealthReport] = []
    if parsed.positional.isEmpty {
      let all = await registry.checkAllHealth()
      reports = names.compactMap { all[$0] }
    } else {
      for name in names { reports.append(await registry.checkHealth(of: name)) }
    }
    return reports
  }

  /// `✅ backend         → healthy (0.536s response time) URL`, the brief's
  /// format.
  static func line(_ report: ServiceHealthReport, width: Int) -> String {
    let mark = report.status == .healthy ? "✅" : "❌"
    let name = report.service.padded(to: width)
    var detail: String
    if report.status == .healthy, let time = report.responseTime {
      detail = "(\(seconds(time))s response time)"
    } else {
      detail = "(\(report.error ?? "no detail"))"
    }
    if let url = report.url { detail += " \(url)" }
    if let node = report.node { detail += " on \(node)" }
    return "\(mark) \(name) → \(report.status) \(detail)"
  }

  /// Seconds with three decimals, or four below 10 ms (loopback answers
  /// in well under a millisecond, and "0.000s" would say nothing).
  private static func seconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return fixed(value, decimals: value < 0.01 ? 4 : 3)
  }
}
