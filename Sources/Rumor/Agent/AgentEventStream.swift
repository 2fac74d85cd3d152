import Dispatch
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

extension AgentClient {
  /// The longest line taken from an event stream; a longer one ends it.
  static let maximumStreamLine = 1 << 20

  /// Follows the Server-Sent Events stream at `target` (`GET
  /// /v1/monitor`, `/v1/events`) of the agent at `agent`, handing each
  /// event to `received`, until the agent closes it (returns normally)
  /// or `stop` says so (checked at least every quarter second: Ctrl-C
  /// ends it cleanly). Throws when no agent answers within `timeout`, or
  /// it answers with an error instead of a stream.
  public static func follow(
    _ target: String, from agent: NodeAddress, token: String? = nil, timeout: Duration,
    stop: @escaping @Sendable () -> Bool,
    received: @escaping @Sendable (ServerSentEvent) -> Void
  ) async throws(Failure) {
    var head =
      "GET \(target) HTTP/1.1\r\nHost: \(agent)\r\nUser-Agent: rumor-cli\r\nAccept: text/event-stream\r\nConnection: close\r\n"
    if let token { head += "Authorization: Bearer \(token)\r\n" }
    let request = Array((head + "\r\n").utf8)
    let outcome: Failure? = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(
          returning: EventStreamReader(
            agent: agent, timeout: timeout, stop: stop, received: received
          ).run(request))
      }
    }
    if let outcome { throw outcome }
  }
}

/// The blocking side of `AgentClient.follow`: runs on a dispatch thread.
private struct EventStreamReader {
  let agent: NodeAddress
  let timeout: Duration
  let stop: @Sendable () -> Bool
  let received: @Sendable (ServerSentEvent) -> Void

  func run(_ request: [UInt8]) -> AgentClient.Failure? {
    let descriptor: Int32
    switch Sockets.connect(to: agent) {
    case .success(let connected): descriptor = connected
    case .failure(let error): return .unreachable(agent: agent, reason: error.message)
    }
    defer { close(descriptor) }
    let deadline = BlockingExchange.monotonicNanoseconds() + timeout.nanosecondsClamped
    var written = 0
    while written < request.count {
      var writable = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
      guard wait(&writable, until: deadline) else {
        return .unreachable(agent: agent, reason: "timed out")
      }
      let code = Sockets.connectionError(of: descriptor)
      guard code == 0 else {
        return .unreachable(agent: agent, reason: SocketAddress.errorText(code))
      }
      let count = request.withUnsafeBytes { raw in
        Sockets.sendSome(
          on: descriptor, raw.baseAddress.map { $0 + written }, count: raw.count - written)
      }
      if count < 0 && errno != EAGAIN {
        return .unreachable(agent: agent, reason: SocketAddress.errorText())
      }
      written += max(0, count)
    }
    var buffer: [UInt8] = []
    var headEnded = false
    var status = 0
    var event = ServerSentEvent(data: "")
    var hasData = false
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while !stop() {
      var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      let ready = poll(&readable, 1, 250)
      if ready < 0 && errno != EINTR { return .unreachable(agent: agent, reason: "poll failed") }
      guard ready > 0 else {
        if !headEnded && BlockingExchange.monotonicNanoseconds() > deadline {
          return .unreachable(agent: agent, reason: "it did not answer in time")
        }
        continue
      }
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EAGAIN || errno == EINTR { continue }
        return headEnded ? nil : .unreachable(agent: agent, reason: SocketAddress.errorText())
      }
      if count == 0 {
        guard headEnded else {
          return .notAnAgent(
            agent: agent,
            reason: buffer.isEmpty ? "it closed without answering" : "not an HTTP reply")
        }
        return status == 200 ? nil : refusal(status, buffer)
      }
      buffer += chunk[0..<count]
      if !headEnded {
        guard let end = Self.headEnd(buffer) else {
          if buffer.count > AgentClient.maximumStreamLine {
            return .notAnAgent(agent: agent, reason: "not an HTTP reply")
          }
          continue
        }
        let line = String(decoding: buffer.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
          return .notAnAgent(agent: agent, reason: "not an HTTP reply")
        }
        headEnded = true
        status = code
        guard status == 200 else {
          // An error answer: read to its end.
          if let reply = AgentClient.parse(buffer) { return refusal(status, reply.body) }
          continue
        }
        buffer.removeFirst(end)
      }
      guard status == 200 else {
        if let reply = AgentClient.parse(buffer) { return refusal(status, reply.body) }
        if buffer.count > AgentClient.maximumStreamLine { return refusal(status, buffer) }
        continue
      }
      // Whole lines only; the rest waits for more bytes.
      while let newline = buffer.firstIndex(of: 10) {
        var line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeFirst(newline + 1)
        if line.hasSuffix("\r") { line.removeLast() }
        if line.isEmpty {
          if hasData { received(event) }
          event = ServerSentEvent(data: "")
          hasData = false
          continue
        }
        if line.hasPrefix(":") { continue }
        let field = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var value = field.count > 1 ? String(field[1]) : ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field[0] {
        case "event": event.event = value
        case "id": event.id = value
        case "data":
          event.data = hasData ? event.data + "\n" + value : value
          hasData = true
        default: break
        }
      }
      if buffer.count > AgentClient.maximumStreamLine {
        return .notAnAgent(
          agent: agent, reason: "a line over \(AgentClient.maximumStreamLine) bytes")
      }
    }
    return nil
  }

  /// The failure an error answer's body gives (its JSON `error`, if any).
  private func refusal(_ status: Int, _ body: [UInt8]) -> AgentClient.Failure {
    var reason = String(decoding: body.prefix(2048), as: UTF8.self)
    if let json = try? JSONParser.parse(body), case .string(let text)? = json["error"] {
      reason = text
    }
    return .refused(agent: agent, status: status, reason: reason)
  }

  /// Where the head ends (after its blank line), or nil before it has.
  static func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for start in 0...(bytes.count - 4)
    where bytes[start] == 13 && bytes[start + 1] == 10 && bytes[start + 2] == 13
      && bytes[start + 3] == 10
    {
      return start + 4
    }
    return nil
  }

  private func wait(_ entry: inout pollfd, until deadline: Int64) -> Bool {
    while true {
      let left = deadline - BlockingExchange.monotonicNanoseconds()
      guard left > 0 else { return false }
      let result = poll(&entry, 1, Int32(clamping: (left + 999_999) / 1_000_000))
      if result > 0 { return true }
      if result == 0 { return false }
      if errno != EINTR { return false }
    }
  }
}
