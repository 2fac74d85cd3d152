/// A parked request: re-checked on the server's thread after each
/// `HTTPServer.changed()`, answered with the first response `check`
/// gives, or with `expired()` once `wait` is over. Neither may block.
public struct HTTPWatch: Sendable {
  /// How long to wait at most.
  public var wait: Duration
  /// The response if the answer changed, else nil.
  public var check: @Sendable () -> HTTPResponse?
  /// The response when the wait is over.
  public var expired: @Sendable () -> HTTPResponse

  /// Creates a watch.
  public init(
    wait: Duration, check: @escaping @Sendable () -> HTTPResponse?,
    expired: @escaping @Sendable () -> HTTPResponse
  ) {
    self.wait = wait
    self.check = check
    self.expired = expired
  }
}
