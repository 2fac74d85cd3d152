import CommandLineSupport
import Rumor
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `rumor agent`'s HTTP API: where it listens (`--http`, `RUMOR_HTTP`,
/// `gossip.http`; 127.0.0.1:7947 by default), its write token
/// (`--http-token`, `RUMOR_HTTP_TOKEN`), and starting it over the node.
enum AgentHTTPServer {
  /// The options, for `ArgumentList`.
  static let options: [ArgumentList.Option] = [
    .init(name: "http", takesValue: true), .init(name: "http-token", takesValue: true),
  ]

  /// Their lines in the agent's help.
  static let help = """
      --http HOST:PORT      where to serve the HTTP API (default 127.0.0.1:7947,
                            $RUMOR_HTTP, gossip.http); off to serve none. See
                            docs/agent-api.md
      --http-token TOKEN    the bearer token the API's writes need (default
                            $RUMOR_HTTP_TOKEN; prefer it: a flag shows in ps).
                            Without one, writes are taken from loopback only
    """

  /// Starts the API over `node`, or nil when it is off. The default
  /// address being taken (another agent on this machine) is said and
  /// skipped; an address someone asked for must work.
  static func start(
    _ parsed: ArgumentList, node: RumorNode, registry: ServiceRegistry, dns: DNSServer?,
    monitor: AgentMonitor, console: Console, command: String
  ) throws(CommandError) -> AgentAPI? {
    let effective = try PeerOptions.configuration(parsed)
    var listen = effective.gossip.http
    var asked = effective.origins["gossip.http"] != .builtIn
    if let flag = try parsed.value("http") {
      do {
        listen = try APIAddress.parse(flag)
      } catch {
        throw .usage("--http: \(error.reason)", command: command)
      }
      asked = true
    }
    guard case .at(let hostAndPort) = listen else { return nil }
    guard let bind = NodeAddress(hostAndPort.description) else {
      throw .usage("--http: '\(hostAndPort)' is not a numeric address", command: command)
    }
    let variables = HostEnvironment.current().variables
    let token = try parsed.value("http-token") ?? variables[EnvironmentVariable.httpToken]
    let authorization = WriteAuthorization(token: token)
    let api: AgentAPI
    do {
      let served = ServedAPI()
      api = try AgentAPI(
        node: node, registry: registry, bind: bind,
        configuration: effective.json, authorization: authorization, monitor: monitor,
        leave: {
          // As SIGTERM does: the agent logs it, leaves and exits 0.
          kill(getpid(), SIGTERM)
        },
        extraRoutes: { router in
          router.add("GET", "/metrics") { _ in
            .response(
              HTTPResponse(
                body: prometheusText(
                  node: node, registry: registry, dns: dns?.counters, http: served.counters),
                contentType: PrometheusText.contentType))
          }
        })
      served.api = api
    } catch {
      // The socket layer's hint names the gossip flag.
      let reason = "\(error)".replacing(
        "pick another with --bind", with: "pick another with --http")
      guard asked else {
        // The default address: the line's own hint says it better.
        let bare = reason.replacing(
          " (another process uses this port; pick another with --http)", with: "")
        console.out(
          "\(AgentCommand.timestamp()) no HTTP API: \(bare) (another agent on this machine? give --http HOST:PORT, or --http off)"
        )
        return nil
      }
      throw .failure("cannot serve the HTTP API: \(reason)")
    }
    let writes =
      authorization.token != nil
      ? "writes need the bearer token"
      : "writes from loopback only"
    console.out("\(AgentCommand.timestamp()) HTTP API on http://\(api.address) (\(writes))")
    return api
  }
}

/// The API, once it exists, for its own `/metrics` route (the routes are
/// made before the server they belong to).
private final class ServedAPI: Sendable {
  private let slot = Mutex<AgentAPI?>(nil)

  var api: AgentAPI? {
    get { slot.withLock { $0 } }
    set { slot.withLock { $0 = newValue } }
  }

  var counters: HTTPServerCounters? { api?.counters }
}
