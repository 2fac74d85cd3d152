import RumorCore
import RumorWire

/// Key rotation through the agent (`rumor keys`, Serf's `serf keys`):
/// Serf's key queries sent to the whole cluster, every member's answer
/// gathered. Listing shows keys, so it needs a write's authorization
/// too. Keys travel in request bodies only (never in a path or a query,
/// which logs and proxies may keep) and are never logged.
extension AgentRoutes {
  /// A key operation.
  enum KeyOperation: String, CaseIterable {
    case install, use, remove, list
  }

  func registerKeys(in router: inout HTTPRouter) {
    router.add("GET", "/v1/keys") { request in
      authorized(request) { _ in await rotate(.list, key: nil) }
    }
    for operation in KeyOperation.allCases where operation != .list {
      router.add("POST", "/v1/keys/\(operation.rawValue)") { request in
        authorized(request) { request in await changeKey(operation, request) }
      }
    }
  }

  /// `POST /v1/keys/{install,use,remove}` (body: `{"key": "BASE64"}`).
  @Sendable func changeKey(_ operation: KeyOperation, _ request: HTTPRequest) async
    -> HTTPResponse
  {
    let fields: [(key: String, value: JSONValue)]
    switch Self.stringObject(request.body) {
    case .failure(let refusal): return refusal.response
    case .success(let parsed): fields = parsed
    }
    guard case .string(let text)? = fields.first(where: { $0.key == "key" })?.value else {
      return .error(400, "the body needs \"key\", e.g. {\"key\": \"<base64 of 32 bytes>\"}")
    }
    // The message names no part of the key.
    guard let key = Base64.decode(text), [16, 24, 32].contains(key.count) else {
      return .error(400, "the key must be standard base64 of 16, 24 or 32 bytes (rumor keygen)")
    }
    return await rotate(operation, key: key)
  }

  /// Runs `operation` across the cluster and answers with every member's
  /// result: 200 when all members answered and none failed, else 502
  /// with the same body, whose `error` says how many did not.
  func rotate(_ operation: KeyOperation, key: [UInt8]?) async -> HTTPResponse {
    let answer: KeyringAnswer
    do {
      switch operation {
      case .install: answer = try await node.installKey(key ?? [])
      case .use: answer = try await node.useKey(key ?? [])
      case .remove: answer = try await node.removeKey(key ?? [])
      case .list: answer = try await node.listKeys()
      }
    } catch {
      return .error(503, "the key query was not sent: \(error)")
    }
    func counts(_ values: [String: Int]) -> JSONValue {
      .object(values.keys.sorted().map { ($0, .count(values[$0] ?? 0)) })
    }
    var fields: [(String, JSONValue)] = [
      ("operation", .string(operation.rawValue)), ("members", .count(answer.memberCount)),
      ("responses", .count(answer.responseCount)), ("errors", .count(answer.errorCount)),
      ("messages", AgentJSON.strings(answer.messages)),
    ]
    if operation == .list {
      fields.append(("keys", counts(answer.keys)))
      fields.append(("primary_keys", counts(answer.primaryKeys)))
    }
    fields.append(("error", answer.failure.map(JSONValue.string) ?? .null))
    return .json(.object(fields), status: answer.succeeded ? 200 : 502)
  }
}
