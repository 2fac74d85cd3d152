import Rumor

/// What the example needs besides the library's own configuration: which
/// service it is and where its HTTP server listens. A flag beats its
/// variable, which beats the default.
///
/// | flag | variable | default |
/// |---|---|---|
/// | `--service NAME` | `EXAMPLE_SERVICE` | `backend` |
/// | `--http-port PORT` | `EXAMPLE_HTTP_PORT` | `8001` (0 picks a free port) |
/// | `--health-path PATH` | `EXAMPLE_HEALTH_PATH` | `/api/system/health` |
///
/// Not `BACKEND_PORT`: `<NAME>_HOST` and `<NAME>_PORT` are the resolver's
/// overrides, and would make every lookup of the service answer with them.
struct ExampleSettings {
  /// Why the command line did not give settings.
  enum Stop: Error {
    /// `--help`: print `usage` and exit 0.
    case help
    /// A bad flag or value: print the sentence and exit 2.
    case usage(String)
  }

  /// The service this process runs and advertises as `svc.<service>`.
  var service = "backend"
  /// The HTTP server's port.
  var httpPort: UInt16 = 8001
  /// The path that answers 200 while the service is well; the node's
  /// health check requests it.
  var healthPath = "/api/system/health"

  static let usage = """
    Usage: rumor-example-service [--service NAME] [--http-port PORT] [--health-path PATH]

    A small HTTP service that embeds a Rumor node, advertises itself as
    svc.NAME and resolves other services from its gossip view:
      GET /                 {"service", "node", "gossip"}
      GET HEALTH-PATH       200 {"status": "passing"}
      GET /resolve/NAME     {"service", "url"}, or 503 with the reason

    Options (each also read from the variable in brackets):
      --service NAME        the service to advertise (EXAMPLE_SERVICE; default backend)
      --http-port PORT      the HTTP port, 0 for any (EXAMPLE_HTTP_PORT; default 8001)
      --health-path PATH    the health endpoint (EXAMPLE_HEALTH_PATH; default /api/system/health)

    The node is configured like every Rumor process: RUMOR_CONFIG, RUMOR_BIND,
    RUMOR_ADVERTISE, RUMOR_JOIN, RUMOR_NODE_NAME, RUMOR_LABEL, AUTOBOT_DEPLOYMENT_MODE,
    AUTOBOT_NAMESPACE, ... (see docs/configuration.md). The HTTP server listens on
    the gossip bind address's host. SIGINT or SIGTERM leaves the cluster and exits 0.
    """

  /// Reads `arguments` (without the program name) over `environment`.
  init(arguments: [String], environment: [String: String]) throws(Stop) {
    var values: [String: String] = [
      "service": environment["EXAMPLE_SERVICE"] ?? "",
      "http-port": environment["EXAMPLE_HTTP_PORT"] ?? "",
      "health-path": environment["EXAMPLE_HEALTH_PATH"] ?? "",
    ]
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      if argument == "--help" || argument == "-h" { throw .help }
      let name = String(argument.drop { $0 == "-" })
      guard argument.hasPrefix("--"), values[name] != nil else {
        throw .usage("unknown argument '\(argument)' (see --help)")
      }
      guard let value = remaining.popFirst() else { throw .usage("\(argument) needs a value") }
      values[name] = value
    }
    if let service = values["service"], !service.isEmpty {
      do {
        try ServiceName.validate(service)
      } catch {
        throw .usage("--service: \(error.reason)")
      }
      self.service = service
    }
    if let port = values["http-port"], !port.isEmpty {
      guard let number = UInt16(port) else {
        throw .usage("--http-port: '\(port)' is not a port (0 to 65535)")
      }
      httpPort = number
    }
    if let path = values["health-path"], !path.isEmpty {
      guard path.hasPrefix("/"), !path.contains(" ") else {
        throw .usage("--health-path: '\(path)' must start with '/' and have no spaces")
      }
      healthPath = path
    }
  }
}
