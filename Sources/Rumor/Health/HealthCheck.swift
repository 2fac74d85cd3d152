import RumorWire

/// How the owning node checks that one of its services works.
public enum HealthCheck: Sendable, Hashable, CustomStringConvertible {
  /// An HTTP GET of `path`; any 2xx status passes.
  case http(path: String)
  /// A TCP connection that opens passes.
  case tcp
  /// A Redis `PING` answered with `+PONG` passes.
  case redis

  /// "http GET /health", "tcp connect", "redis PING".
  public var description: String {
    switch self {
    case .http(let path): "http GET \(path)"
    case .tcp: "tcp connect"
    case .redis: "redis PING"
    }
  }
}

/// What one check found.
public struct HealthCheckResult: Sendable, Hashable {
  /// Whether the check passed.
  public var passed: Bool
  /// How long it took, to the answer or the failure.
  public var responseTime: Duration
  /// Why it failed, in words; nil when it passed.
  public var error: String?
  /// The HTTP status, for HTTP checks that got one.
  public var statusCode: Int?

  /// Creates a result.
  public init(passed: Bool, responseTime: Duration, error: String? = nil, statusCode: Int? = nil) {
    self.passed = passed
    self.responseTime = responseTime
    self.error = error
    self.statusCode = statusCode
  }
}
