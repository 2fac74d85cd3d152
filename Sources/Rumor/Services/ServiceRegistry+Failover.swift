import RumorCore
import RumorDiscovery

/// Every attempt `withInstance` made, when none succeeded.
public struct ServiceCallError: Error, CustomStringConvertible {
  /// The service called.
  public var service: String
  /// Each endpoint tried, in order, with the error its call threw.
  public var attempts: [(endpoint: ServiceURL, error: any Error)]

  /// The last attempt's error.
  public var lastError: (any Error)? { attempts.last?.error }

  /// "ai-stack: 3 attempts failed: http://10.0.0.7:8001 (…); …".
  public var description: String {
    "\(service): \(attempts.count) attempt\(attempts.count == 1 ? "" : "s") failed: "
      + attempts.map { "\($0.endpoint) (\($0.error))" }.joined(separator: "; ")
  }
}

extension ServiceRegistry {
  /// Runs `body` against an instance of `name` and fails over: when the
  /// body throws, the failure is reported to that instance's breaker and
  /// the body runs again against the next eligible instance (one not yet
  /// tried), up to the service's `retries` more times
  /// (`services.<name>.retries`, default 3). A success is reported too,
  /// which closes a half-open breaker. A pinned service
  /// (`<NAME>_HOST`) has one instance: it is tried once.
  ///
  /// Throws `ResolutionError` when no instance is eligible at the start,
  /// and `ServiceCallError`, with every attempt, when all of them failed.
  /// Cancellation stops the retries; `CancellationError` from the body is
  /// passed on at once and counts against no instance.
  ///
  /// ```swift
  /// let reply = try await registry.withInstance("ai-stack", path: "/api/process") { url in
  ///   try await post(to: url, body)
  /// }
  /// ```
  public func withInstance<Result: Sendable>(
    _ name: String, path: String = "",
    _ body: (ServiceURL) async throws -> Result
  ) async throws -> Result {
    let retries = configuration.service(named: name)?.retries ?? ServiceEndpoint.defaultRetries
    var tried: Set<HostAndPort> = []
    var attempts: [(endpoint: ServiceURL, error: any Error)] = []
    while attempts.count <= retries {
      try Task.checkCancellation()
      let chosen: (url: ServiceURL, source: ResolutionSource)
      do {
        chosen = try endpoint(for: name, path: path, excluding: tried)
      } catch {
        // Nothing left to try: the first time, there was nothing at all.
        if attempts.isEmpty { throw error }
        break
      }
      do {
        let result = try await body(chosen.url)
        if chosen.source != .environment { reportSuccess(chosen.url) }
        return result
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        attempts.append((chosen.url, error))
        guard chosen.source != .environment else { break }
        reportFailure(chosen.url)
        tried.insert(ServiceResolver.instanceKey(of: chosen.url))
      }
    }
    throw ServiceCallError(service: name, attempts: attempts)
  }
}
