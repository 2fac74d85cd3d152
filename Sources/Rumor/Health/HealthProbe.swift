import Dispatch
import RumorDiscovery
import RumorWire

/// Runs health checks against real endpoints: HTTP GET, TCP connect and
/// Redis PING, each with a deadline, on a dispatch queue (they block).
public enum HealthProbe {
  /// Checks `check` against `host:port` (a name is resolved first),
  /// giving up after the check's timeout.
  public static func run(_ check: HealthCheck, host: String, port: UInt16) async
    -> HealthCheckResult
  {
    let timeout = check.timeout
    let started = BlockingExchange.monotonicNanoseconds()
    func elapsed() -> Duration {
      .nanoseconds(BlockingExchange.monotonicNanoseconds() - started)
    }
    if check.kind == .ttl || check.kind == .closure {
      return HealthCheckResult(
        passed: false, responseTime: .zero,
        error: "a \(check.kind) check is not probed from outside")
    }
    let target: NodeAddress
    do {
      let text = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
      guard let first = try await AddressResolver.resolve(text, defaultPort: port).first else {
        return HealthCheckResult(
          passed: false, responseTime: elapsed(), error: "'\(host)' resolves to nothing")
      }
      target = first
    } catch {
      return HealthCheckResult(passed: false, responseTime: elapsed(), error: error.message)
    }
    let left = timeout - elapsed()
    guard left > .zero else {
      // Said as it is: a connect with no time left would read as a peer
      // that does not answer, when the time went before it (a slow
      // resolver, or a process too busy to run the check).
      return HealthCheckResult(
        passed: false, responseTime: elapsed(),
        error:
          "the check's \(DurationText.format(timeout)) timeout ran out before connecting to \(target) (resolving '\(host)' and waiting to run took \(DurationText.format(elapsed())))"
      )
    }
    let outcome: HealthCheckResult = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        let exchange = BlockingExchange(peer: target, timeout: left)
        continuation.resume(
          returning: probe(check, host: host, port: port, with: exchange, started: started))
      }
    }
    return outcome
  }

  private static func probe(
    _ check: HealthCheck, host: String, port: UInt16, with exchange: BlockingExchange,
    started: Int64
  ) -> HealthCheckResult {
    func elapsed() -> Duration {
      .nanoseconds(BlockingExchange.monotonicNanoseconds() - started)
    }
    switch check.kind {
    case .ttl, .closure:
      // Nothing to probe: the application renews or runs these
      // (`ServiceAdvertiser`); `run` answered already.
      return HealthCheckResult(
        passed: false, responseTime: elapsed(),
        error: "a \(check.kind) check is not probed from outside")
    case .tcp:
      switch exchange.connectOnly() {
      case .success: return HealthCheckResult(passed: true, responseTime: elapsed())
      case .failure(let error):
        return HealthCheckResult(passed: false, responseTime: elapsed(), error: error.message)
      }
    case .redis:
      let ping = Array("*1\r\n$4\r\nPING\r\n".utf8)
      switch exchange.run(ping, maximumReply: 4096, isComplete: { $0.contains(10) }) {
      case .success(let reply):
        let line = String(decoding: reply.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        if line == "+PONG" { return HealthCheckResult(passed: true, responseTime: elapsed()) }
        let reason =
          line.isEmpty
          ? "redis closed the connection without answering PING"
          : line.hasPrefix("-NOAUTH")
            ? "redis wants a password (\(line))" : "redis answered \(line)"
        return HealthCheckResult(passed: false, responseTime: elapsed(), error: reason)
      case .failure(let error):
        return HealthCheckResult(passed: false, responseTime: elapsed(), error: error.message)
      }
    case .http:
      let path = check.path
      let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
      let request = Array(
        "GET \(path.hasPrefix("/") ? path : "/" + path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: rumor-health\r\nAccept: */*\r\nConnection: close\r\n\r\n"
          .utf8)
      // The status line is all a check needs.
      switch exchange.run(request, maximumReply: 1 << 20, isComplete: { $0.contains(10) }) {
      case .success(let reply):
        let line = String(decoding: reply.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
          return HealthCheckResult(
            passed: false, responseTime: elapsed(),
            error: line.isEmpty ? "no HTTP answer" : "not an HTTP answer: \(line.prefix(80))")
        }
        let passed = (200...299).contains(status)
        return HealthCheckResult(
          passed: passed, responseTime: elapsed(), error: passed ? nil : "HTTP \(status)",
          statusCode: status)
      case .failure(let error):
        return HealthCheckResult(passed: false, responseTime: elapsed(), error: error.message)
      }
    }
  }
}
