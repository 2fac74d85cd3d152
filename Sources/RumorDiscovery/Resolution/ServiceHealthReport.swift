/// What checking one service found (the brief's health result).
public struct ServiceHealthReport: Hashable, Sendable {
  /// The service.
  public var service: String
  /// The verdict.
  public var status: ServiceStatus
  /// How long the check took; nil when nothing was checked.
  public var responseTime: Duration?
  /// What went wrong, in words; nil when healthy.
  public var error: String?
  /// The instance checked (or, with an open circuit, the first refused).
  public var url: ServiceURL?
  /// The member advertising it, when gossip answered.
  public var node: String?
  /// The resolution step that chose the instance.
  public var source: ResolutionSource?

  /// Creates a report.
  public init(
    service: String, status: ServiceStatus, responseTime: Duration? = nil, error: String? = nil,
    url: ServiceURL? = nil, node: String? = nil, source: ResolutionSource? = nil
  ) {
    self.service = service
    self.status = status
    self.responseTime = responseTime
    self.error = error
    self.url = url
    self.node = node
    self.source = source
  }
}
