import RumorCore
import RumorDiscovery
import RumorWire
import Synchronization

/// The agent API's route handlers. Reads run on the HTTP server's thread
/// and touch published snapshots only; probes and writes are handed to
/// tasks (`HTTPReply.later`).
struct AgentRoutes: Sendable {
  let node: RumorNode
  let registry: ServiceRegistry
  let configuration: JSONValue
  let authorization: WriteAuthorization
  let leave: (@Sendable () async -> Void)?
  let state: AgentAPI.SharedState
  let monitor: AgentMonitor

  func register(in router: inout HTTPRouter) {
    router.add("GET", "/") { _ in .response(ClusterPage.response) }
    router.add("GET", "/v1/members") { request in blocking(request, members) }
    router.add("GET", "/v1/services") { request in blocking(request, services) }
    router.add("GET", "/v1/services/{name}") { request in blocking(request, services) }
    router.add("GET", "/v1/resolve/{name}") { request in blocking(request, resolve) }
    router.add("GET", "/v1/url/{name}") { request in .response(url(request)) }
    router.add("GET", "/v1/health") { _ in healthOfAll() }
    router.add("GET", "/v1/health/{name}") { request in health(request) }
    router.add("GET", "/v1/agent") { _ in .response(.json(agent())) }
    router.add("GET", "/v1/coordinate") { _ in .response(coordinate(of: node.name)) }
    router.add("GET", "/v1/coordinate/{name}") { request in
      .response(coordinate(of: request.parameters["name"] ?? ""))
    }
    router.add("GET", "/v1/events") { _ in
      var head = HTTPResponse(
        status: 200, body: "retry: 3000\n\n", contentType: "text/event-stream; charset=utf-8")
      head.headers["X-Rumor-Index"] = String(index())
      return .stream(head)
    }
    router.add("PUT", "/v1/agent/tags") { request in authorized(request, setTags) }
    router.add("PUT", "/v1/agent/services/{name}") { request in authorized(request, advertise) }
    router.add("DELETE", "/v1/agent/services/{name}") { request in authorized(request, withdraw) }
    router.add("POST", "/v1/agent/leave") { request in authorized(request, leaveNow) }
    registerSerfVerbs(in: &router)
    registerKeys(in: &router)
  }

  /// The blocking-query index: one more than the node's snapshot count,
  /// so it starts at 1 and never goes backwards while the agent runs.
  func index() -> UInt64 { node.snapshotVersion &+ 1 }

  // MARK: Blocking queries

  /// An answer and what, in it, a blocking query watches for change. The
  /// fingerprint is computed only when a blocking query parks: a plain
  /// request does not pay for it.
  struct Answer: Sendable {
    var response: HTTPResponse
    var fingerprint: @Sendable () -> String
  }

  /// Answers now, or (with `?index=` equal to the current index) parks
  /// until the answer's fingerprint changes or the wait is over.
  func blocking(_ request: HTTPRequest, _ answer: @escaping @Sendable (HTTPRequest) -> Answer)
    -> HTTPReply
  {
    guard let parameters = request.query else {
      return .response(.error(400, "the query has a broken %-escape"))
    }
    let query: BlockingQuery?
    do {
      query = try BlockingQuery.parse(parameters)
    } catch {
      return .response(.error(400, error.description))
    }
    let index = self.index()
    @Sendable func stamped(_ answer: Answer, _ index: UInt64) -> HTTPResponse {
      var response = answer.response
      response.headers["X-Rumor-Index"] = String(index)
      return response
    }
    let first = answer(request)
    guard let query, query.index == index else { return .response(stamped(first, index)) }
    let firstFingerprint = first.fingerprint()
    let seen = Mutex(index)
    return .watch(
      HTTPWatch(
        wait: query.wait,
        check: {
          let now = self.index()
          guard seen.withLock({ $0 }) != now else { return nil }
          seen.withLock { $0 = now }
          let latest = answer(request)
          return latest.fingerprint() == firstFingerprint ? nil : stamped(latest, now)
        },
        expired: { stamped(answer(request), self.index()) }))
  }

  /// `{node, coordinate}`: the network coordinate `member` last sent
  /// this node in an ack (this node's own for its own name), what
  /// `serf rtt` reads over Serf's RPC; 404 saying why there is none.
  func coordinate(of member: String) -> HTTPResponse {
    if let coordinate = node.coordinate(of: member) {
      return .json(
        .object([("node", .string(member)), ("coordinate", AgentJSON.coordinate(coordinate))]))
    }
    if member == node.name {
      return .error(404, "this agent has no coordinate: coordinates are off on it")
    }
    guard node.members.contains(where: { $0.name == member }) else {
      return .error(404, "'\(member)' is not a member this agent knows")
    }
    return .error(
      404,
      "'\(member)' has sent this agent no coordinate yet (it arrives in the acks to this agent's probes, within about one probe interval per member; a member with coordinates off never sends one)"
    )
  }

  @Sendable func members(_ request: HTTPRequest) -> Answer {
    let wanted = request.query?["status"]
    if let wanted, !["alive", "suspect", "failed", "left"].contains(wanted) {
      return error(400, "status must be alive, suspect, failed or left (not '\(wanted)')")
    }
    let shown = node.members.filter { wanted == nil || $0.state.description == wanted }
    return json(.array(shown.map(AgentJSON.member)))
  }

  @Sendable func services(_ request: HTTPRequest) -> Answer {
    let catalog = registry.catalog
    if let name = request.parameters["name"] {
      guard let instances = catalog.instances[name], !instances.isEmpty else {
        return error(404, "no member advertises the service '\(name)'")
      }
      return json(.array(instances.map(AgentJSON.instance)))
    }
    return json(
      .array(catalog.services.flatMap { catalog.instances[$0] ?? [] }.map(AgentJSON.instance)))
  }

  @Sendable func resolve(_ request: HTTPRequest) -> Answer {
    let name = request.parameters["name"] ?? ""
    let path = request.query?["path"] ?? ""
    // What a change would show in: the service's gossip instances (the
    // pick itself rotates with round robin, and must not count).
    let registry = self.registry
    let fingerprint: @Sendable () -> String = {
      JSONValue.array((registry.catalog.instances[name] ?? []).map(AgentJSON.instance)).text
    }
    do {
      let resolution = try registry.resolve(name, path: path)
      return Answer(response: .json(AgentJSON.resolution(resolution)), fingerprint: fingerprint)
    } catch {
      return Answer(
        response: .json(
          .object([
            ("error", .string(error.description)),
            ("tried", .array(error.tried.map(JSONValue.string))),
          ]), status: 404), fingerprint: fingerprint)
    }
  }

  /// `url(for:path:)` alone, as one line of text: the cheapest answer to
  /// "where is NAME" (no explanation, no JSON to build or parse).
  func url(_ request: HTTPRequest) -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    guard let query = request.query else {
      return .error(400, "the query has a broken %-escape")
    }
    do {
      return HTTPResponse(body: try registry.url(for: name, path: query["path"] ?? "") + "\n")
    } catch {
      return .error(404, error.description)
    }
  }

  private func json(_ value: JSONValue) -> Answer {
    let response = HTTPResponse.json(value)
    return Answer(
      response: response, fingerprint: { String(decoding: response.body, as: UTF8.self) })
  }

  private func error(_ status: Int, _ message: String) -> Answer {
    Answer(response: .error(status, message), fingerprint: { message })
  }

  // MARK: Health and the agent

  func health(_ request: HTTPRequest) -> HTTPReply {
    let name = request.parameters["name"] ?? ""
    let registry = self.registry
    return .later { complete in
      Task {
        let report = await registry.checkHealth(of: name)
        // An unknown service is 404, naming it; the report says why.
        let status = report.status == .unknown ? 404 : 200
        complete(.json(AgentJSON.health(report), status: status))
      }
    }
  }

  /// Every service the registry knows, checked concurrently:
  /// `{NAME: report}`.
  func healthOfAll() -> HTTPReply {
    let registry = self.registry
    return .later { complete in
      Task {
        let reports = await registry.checkAllHealth()
        let names = registry.serviceNames.filter { reports[$0] != nil }
        complete(
          .json(
            .object(names.compactMap { name in reports[name].map { (name, AgentJSON.health($0)) } })
          ))
      }
    }
  }

  func agent() -> JSONValue {
    let me = node.members.first { $0.name == node.name }
    let tags = me.flatMap { try? SerfTags.decode($0.meta) } ?? [:]
    return .object([
      ("name", .string(node.name)), ("address", .string(node.address.host)),
      ("port", .count(node.address.port)), ("tags", AgentJSON.strings(tags)),
      (
        "services",
        .array(
          node.advertisedServices.map { status in
            .object([
              ("name", .string(status.service.name)),
              ("url", .string(status.service.url.description)),
              ("health", .string(status.health.rawValue)),
              ("check", .string(status.service.check?.summary ?? "none")),
              ("last_error", status.lastCheck.flatMap(\.error).map(JSONValue.string) ?? .null),
            ])
          })
      ),
      ("index", .count(index())),
      ("configuration", configuration),
      ("counters", AgentJSON.counters(node.counters)),
      ("inbound_streams", AgentJSON.counters(node.inboundStreamCounters)),
      ("http", state.server.withLock { $0 }.map { AgentJSON.counters($0.counters) } ?? .null),
      ("monitor", .object([("dropped", .count(monitor.dropped))])),
    ])
  }

  // MARK: Writes

  /// Checks the write's authorization, then runs `body` in a task.
  func authorized(
    _ request: HTTPRequest,
    _ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse
  ) -> HTTPReply {
    if let refusal = authorization.refusal(for: request) {
      var response = HTTPResponse.error(refusal.status, refusal.reason)
      if refusal.status == 401 { response.headers["WWW-Authenticate"] = "Bearer" }
      return .response(response)
    }
    return .later { complete in
      Task { complete(await body(request)) }
    }
  }

  /// The body as a JSON object of strings, or the response refusing it.
  static func stringObject(_ body: [UInt8]) -> Result<[(key: String, value: JSONValue)], Refusal> {
    let value: JSONValue
    do {
      value = try JSONParser.parse(body)
    } catch {
      return .failure(Refusal(response: .error(400, "the body is \(error)")))
    }
    guard case .object(let fields) = value else {
      return .failure(Refusal(response: .error(400, "the body must be a JSON object")))
    }
    return .success(fields)
  }

  struct Refusal: Error {
    let response: HTTPResponse
  }

  @Sendable func setTags(_ request: HTTPRequest) async -> HTTPResponse {
    let fields: [(key: String, value: JSONValue)]
    switch Self.stringObject(request.body) {
    case .failure(let refusal): return refusal.response
    case .success(let parsed): fields = parsed
    }
    var tags: [String: String] = [:]
    for field in fields {
      guard case .string(let value) = field.value else {
        return .error(400, "tag '\(field.key)' must be a string")
      }
      tags[field.key] = value
    }
    do {
      try await node.setTags(tags)
    } catch {
      return .error(400, "\(error)")
    }
    return .json(.object([("tags", AgentJSON.strings(tags))]))
  }

  @Sendable func advertise(_ request: HTTPRequest) async -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    let fields: [(key: String, value: JSONValue)]
    switch Self.stringObject(request.body) {
    case .failure(let refusal): return refusal.response
    case .success(let parsed): fields = parsed
    }
    for field in fields where !["url", "check"].contains(field.key) {
      return .error(400, "unknown field '\(field.key)'; a service takes url and check")
    }
    guard case .string(let urlText)? = fields.first(where: { $0.key == "url" })?.value else {
      return .error(400, "the body needs \"url\", e.g. {\"url\": \"http://:8080\"}")
    }
    let url: ServiceURL
    do {
      url = try ServiceURL(parsing: urlText)
    } catch {
      return .error(400, "url: \(error.reason)")
    }
    var check: HealthCheck? = HealthCheck.standard(forService: name, url: url)
    if let value = fields.first(where: { $0.key == "check" })?.value {
      switch value {
      case .string("none"): check = nil
      case .string("standard"): break
      case .string(let path) where path.hasPrefix("/") && url.scheme.hasPrefix("http"):
        check = HealthCheck(kind: .http, path: path)
      default:
        return .error(
          400, "check must be \"standard\", \"none\" or an HTTP health path like \"/health\"")
      }
    }
    let service = AdvertisedService(name: name, url: url, check: check)
    do {
      try await node.advertise(service)
    } catch {
      return .error(400, "\(error)")
    }
    return .json(
      .object([
        ("name", .string(name)), ("url", .string(url.description)),
        ("check", .string(check?.summary ?? "none")),
      ]))
  }

  @Sendable func withdraw(_ request: HTTPRequest) async -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    do {
      guard try await node.withdraw(name) else {
        return .error(404, "this agent does not advertise the service '\(name)'")
      }
    } catch {
      return .error(400, "\(error)")
    }
    return .json(.object([("withdrawn", .string(name))]))
  }

  @Sendable func leaveNow(_ request: HTTPRequest) async -> HTTPResponse {
    let node = self.node
    let leave = self.leave
    // Answer first: once the node leaves, nothing may be left to answer.
    Task {
      try? await Task.sleep(for: .milliseconds(100))
      if let leave {
        await leave()
      } else {
        await node.leave()
        await node.shutdown()
      }
    }
    return .json(.object([("leaving", .string(node.name))]))
  }
}
