import RumorCore
import RumorDiscovery
import RumorWire

/// The writes that speak Serf's verbs for the CLI (`rumor event`, `rumor
/// query`, `rumor join`): each needs the same authorization as the
/// other writes.
extension AgentRoutes {
  /// The longest a query asked through the API may run: its answer must
  /// come before the server's 30 s limit on a deferred reply.
  static let longestQuery: Duration = .seconds(25)

  func registerSerfVerbs(in router: inout HTTPRouter) {
    router.add("POST", "/v1/event/{name}") { request in authorized(request, sendEvent) }
    router.add("POST", "/v1/query/{name}") { request in authorized(request, ask) }
    router.add("POST", "/v1/agent/join") { request in authorized(request, join) }
  }

  /// `POST /v1/event/NAME` (body: the payload; `?coalesce=false`).
  @Sendable func sendEvent(_ request: HTTPRequest) async -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    let coalesce = request.query?["coalesce"] != "false"
    do {
      try await node.sendUserEvent(name: name, payload: request.body, coalesce: coalesce)
    } catch {
      return .error(400, "\(error)")
    }
    return .json(
      .object([
        ("name", .string(name)), ("payload_bytes", .count(request.body.count)),
        ("coalesce", .bool(coalesce)),
      ]))
  }

  /// `POST /v1/query/NAME` (body: the payload; `?timeout=5s`): every ack
  /// and response, once the query's deadline has passed.
  @Sendable func ask(_ request: HTTPRequest) async -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    var timeout: Duration = .seconds(5)
    if let text = request.query?["timeout"] {
      do {
        timeout = try DurationText.parse(text, maximum: Self.longestQuery)
      } catch {
        return .error(400, "timeout: \(error.reason)")
      }
    }
    let replies: AsyncStream<QueryReply>
    do {
      replies = try await node.query(
        name, payload: request.body, options: QueryOptions(requestAck: true, timeout: timeout))
    } catch {
      return .error(400, "\(error)")
    }
    var acks: [String] = []
    var responses: [(key: String, value: JSONValue)] = []
    for await reply in replies {
      switch reply {
      case .ack(_, let from): acks.append(from)
      case .response(_, let from, let payload):
        responses.append((from, .string(String(decoding: payload, as: UTF8.self))))
      case .finished: break
      }
    }
    return .json(
      .object([
        ("name", .string(name)), ("acks", .array(acks.sorted().map { .string($0) })),
        ("responses", .object(responses.sorted { $0.key < $1.key })),
      ]))
  }

  /// `POST /v1/agent/join` (body: `{"addresses": ["HOST:PORT", ...]}`,
  /// names allowed as `rumor agent --join` takes them).
  @Sendable func join(_ request: HTTPRequest) async -> HTTPResponse {
    let fields: [(key: String, value: JSONValue)]
    switch Self.stringObject(request.body) {
    case .failure(let refusal): return refusal.response
    case .success(let parsed): fields = parsed
    }
    guard case .array(let list)? = fields.first(where: { $0.key == "addresses" })?.value,
      !list.isEmpty
    else {
      return .error(400, "the body needs \"addresses\", e.g. {\"addresses\": [\"10.0.0.7:7946\"]}")
    }
    var seeds: [String] = []
    for item in list {
      guard case .string(let text) = item else {
        return .error(400, "each address must be a string like \"10.0.0.7:7946\"")
      }
      seeds.append(text)
    }
    do {
      let answered = try await node.join(seeds)
      return .json(.object([("joined", .count(answered))]))
    } catch {
      return .error(502, "\(error)")
    }
  }
}
