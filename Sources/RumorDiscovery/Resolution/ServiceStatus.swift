/// A service's status as `checkHealth(of:)` finds it (the brief's
/// `ServiceStatus`).
public enum ServiceStatus: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  /// The instance resolution chose answered its check.
  case healthy
  /// It did not (refused, timed out, wrong answer).
  case unhealthy
  /// Every instance that exists has an open circuit in this process:
  /// use a fallback until the breaker's reset timeout lets a trial out.
  case circuitOpen = "circuit_open"
  /// No URL could be resolved, so nothing was checked.
  case unknown

  /// The spelling in output and JSON.
  public var description: String { rawValue }
}
