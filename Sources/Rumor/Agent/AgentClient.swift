import Dispatch
import RumorWire

/// Asks a running agent's HTTP API (what `rumor members`, `services`,
/// `resolve` and `health` do without `--peer`): one GET, `Connection:
/// close`, a deadline for the whole exchange.
public enum AgentClient {
  /// An agent's answer.
  public struct Reply: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The body.
    public var body: [UInt8]
    /// The body as JSON, or nil when it is not.
    public var json: JSONValue? { try? JSONParser.parse(body) }
  }

  /// Why no answer came.
  public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing listens there, or it did not answer in time.
    case unreachable(agent: NodeAddress, reason: String)
    /// Something answered, but not HTTP.
    case notAnAgent(agent: NodeAddress, reason: String)
    /// The agent answered with an error instead of a stream.
    case refused(agent: NodeAddress, status: Int, reason: String)

    /// What went wrong, and what to do about it.
    public var description: String {
      switch self {
      case .unreachable(let agent, let reason):
        "no agent answers at \(agent) (\(reason)): start one with `rumor agent` (its HTTP API listens on 127.0.0.1:7947 by default), point to another with --agent IP:PORT or RUMOR_AGENT, or ask a node directly with --peer HOST:PORT"
      case .notAnAgent(let agent, let reason):
        "\(agent) is not a Rumor agent's HTTP API (\(reason))"
      case .refused(let agent, let status, let reason):
        "the agent at \(agent) refused (\(status)): \(reason)"
      }
    }
  }

  /// The most bytes of an answer taken.
  static let maximumReply = 64 << 20

  /// GETs `target` (path and query) from the agent at `agent`.
  public static func get(_ target: String, from agent: NodeAddress, timeout: Duration)
    async throws(Failure) -> Reply
  {
    try await send("GET", target, to: agent, timeout: timeout)
  }

  /// Sends `method` to `target` with `body` (and the bearer `token`, for
  /// writes to an agent that needs one), and returns the agent's reply.
  public static func send(
    _ method: String, _ target: String, body: [UInt8] = [], token: String? = nil,
    to agent: NodeAddress, timeout: Duration
  ) async throws(Failure) -> Reply {
    var head =
      "\(method) \(target) HTTP/1.1\r\nHost: \(agent)\r\nUser-Agent: rumor-cli\r\nAccept: application/json\r\nConnection: close\r\n"
    if let token { head += "Authorization: Bearer \(token)\r\n" }
    if method != "GET" { head += "Content-Length: \(body.count)\r\n" }
    let request = Array((head + "\r\n").utf8) + body
    let result: Result<[UInt8], TransportError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        let exchange = BlockingExchange(peer: agent, timeout: timeout)
        continuation.resume(
          returning: exchange.run(request, maximumReply: maximumReply) { parse($0) != nil })
      }
    }
    let bytes: [UInt8]
    switch result {
    case .success(let read): bytes = read
    case .failure(let error):
      let reason = error.message.split(separator: ":").last.map { String($0.drop { $0 == " " }) }
      throw .unreachable(agent: agent, reason: reason ?? error.message)
    }
    guard let reply = parse(bytes) else {
      throw .notAnAgent(
        agent: agent, reason: bytes.isEmpty ? "it closed without answering" : "not an HTTP reply")
    }
    return reply
  }

  /// The reply once `bytes` hold its head and `Content-Length` bytes of
  /// body; nil before.
  static func parse(_ bytes: [UInt8]) -> Reply? {
    guard bytes.count >= 4 else { return nil }
    var end: Int?
    for start in 0...(bytes.count - 4)
    where bytes[start] == 13 && bytes[start + 1] == 10 && bytes[start + 2] == 13
      && bytes[start + 3] == 10
    {
      end = start
      break
    }
    guard let end else { return nil }
    let head = String(decoding: bytes[0..<end], as: UTF8.self)
    let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
    let statusLine = lines.first?.split(separator: " ") ?? []
    guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."),
      let status = Int(statusLine[1])
    else { return nil }
    var length: Int?
    for line in lines.dropFirst() {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "content-length" {
        length = Int(parts[1].drop { $0 == " " })
      }
    }
    let body = bytes[(end + 4)...]
    guard let length, body.count >= length else { return nil }
    return Reply(status: status, body: Array(body.prefix(length)))
  }
}
