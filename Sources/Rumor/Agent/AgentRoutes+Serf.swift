import RumorCore
import RumorDiscovery
import RumorWire

/// The writes that speak Serf's verbs for the CLI (`rumor event`, `rumor
/// query`, `rumor join`, `rumor force-leave`, `rumor tags`): each needs
/// the same authorization as the other writes; and the monitor stream
/// (`rumor monitor`).
extension AgentRoutes {
  /// The longest a query asked through the API may run: its answer must
  /// come before the server's 30 s limit on a deferred reply.
  static let longestQuery: Duration = .seconds(25)

  func registerSerfVerbs(in router: inout HTTPRouter) {
    router.add("POST", "/v1/event/{name}") { request in authorized(request, sendEvent) }
    router.add("POST", "/v1/query/{name}") { request in authorized(request, ask) }
    router.add("POST", "/v1/agent/join") { request in authorized(request, join) }
    router.add("POST", "/v1/agent/force-leave/{name}") { request in
      authorized(request, forceLeave)
    }
    router.add("PATCH", "/v1/agent/tags") { request in authorized(request, changeTags) }
    router.add("GET", "/v1/monitor") { request in monitorStream(request) }
  }

  /// `GET /v1/monitor?level=info`: the agent's recent log lines, then
  /// its lines and events as they happen, from `level` up, as Server-Sent
  /// Events (`event: log`, data `{"level", "line"}`), until the client
  /// leaves.
  func monitorStream(_ request: HTTPRequest) -> HTTPReply {
    let text = request.query?["level"] ?? "info"
    guard let level = RumorLogLevel.allCases.first(where: { $0.description == text }) else {
      let names = RumorLogLevel.allCases.map(\.description).joined(separator: ", ")
      return .response(.error(400, "level must be one of \(names) (not '\(text)')"))
    }
    var head = HTTPResponse(
      status: 200, body: "retry: 3000\n\n", contentType: "text/event-stream; charset=utf-8")
    head.body += monitor.recent(from: level)
    return .stream(head, topic: AgentMonitor.topic(level))
  }

  /// `POST /v1/agent/force-leave/NAME` (`?prune=true` to forget it at
  /// once): Serf's force-leave, a failed member becomes left.
  @Sendable func forceLeave(_ request: HTTPRequest) async -> HTTPResponse {
    let name = request.parameters["name"] ?? ""
    let prune = request.query?["prune"] == "true"
    guard name != node.name else {
      return .error(
        400, "'\(name)' is this agent; it leaves with POST /v1/agent/leave (rumor leave)")
    }
    guard let member = node.members.first(where: { $0.name == name }) else {
      return .error(404, "no member named '\(name)' is known to this agent")
    }
    await node.forceLeave(name, prune: prune)
    return .json(
      .object([
        ("node", .string(name)), ("status_before", .string(member.state.description)),
        ("prune", .bool(prune)),
      ]))
  }

  /// `PATCH /v1/agent/tags` (body: `{"set": {K: V, ...}, "delete": [K,
  /// ...]}`): sets and deletes among the agent's tags, the others stay
  /// (`serf tags`); answers with the tags as they are now.
  @Sendable func changeTags(_ request: HTTPRequest) async -> HTTPResponse {
    let fields: [(key: String, value: JSONValue)]
    switch Self.stringObject(request.body) {
    case .failure(let refusal): return refusal.response
    case .success(let parsed): fields = parsed
    }
    var set: [String: String] = [:]
    var delete: [String] = []
    for field in fields {
      switch (field.key, field.value) {
      case ("set", .object(let tags)):
        for tag in tags {
          guard case .string(let value) = tag.value else {
            return .error(400, "tag '\(tag.key)' must be a string")
          }
          set[tag.key] = value
        }
      case ("delete", .array(let names)):
        for case .string(let name) in names { delete.append(name) }
        guard delete.count == names.count else {
          return .error(400, "\"delete\" must list tag names as strings")
        }
      default:
        return .error(
          400,
          "the body takes \"set\" (an object of strings) and \"delete\" (a list of names), not '\(field.key)'"
        )
      }
    }
    do {
      let tags = try await node.changeTags(set: set, delete: delete)
      return .json(.object([("tags", AgentJSON.strings(tags))]))
    } catch {
      return .error(400, "\(error)")
    }
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
