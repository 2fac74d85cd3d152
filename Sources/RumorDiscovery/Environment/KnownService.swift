/// The services of the product brief, with the scheme, port and health
/// path each is found at unless configured otherwise.
public struct KnownService: Hashable, Sendable {
  /// The service's name.
  public var name: String
  /// Its URL scheme.
  public var scheme: String
  /// Its default port.
  public var port: UInt16
  /// The path its HTTP health check requests; nil when not HTTP.
  public var healthPath: String?

  /// Creates an entry.
  public init(name: String, scheme: String, port: UInt16, healthPath: String?) {
    self.name = name
    self.scheme = scheme
    self.port = port
    self.healthPath = healthPath
  }

  /// Redis, the backend API, the AI stack, the NPU worker and the web
  /// frontend. The frontend's 5173 is Vite's development-server port,
  /// which is how the AutoBot frontend runs outside production; behind a
  /// web server in production set `FRONTEND_PORT` or `services.frontend`.
  public static let all: [KnownService] = [
    KnownService(name: "redis", scheme: "redis", port: 6379, healthPath: nil),
    KnownService(name: "backend", scheme: "http", port: 8001, healthPath: "/api/system/health"),
    KnownService(name: "ai-stack", scheme: "http", port: 8080, healthPath: "/health"),
    KnownService(name: "npu-worker", scheme: "http", port: 8081, healthPath: "/health"),
    KnownService(name: "frontend", scheme: "http", port: 5173, healthPath: "/"),
  ]

  /// The known service called `name`, if any.
  public static func named(_ name: String) -> KnownService? {
    all.first { $0.name == name }
  }
}
