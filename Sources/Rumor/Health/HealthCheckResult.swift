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
