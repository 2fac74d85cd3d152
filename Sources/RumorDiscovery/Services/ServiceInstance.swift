import RumorCore
import RumorWire

/// One instance of a service: a member that advertises it.
public struct ServiceInstance: Hashable, Sendable, CustomStringConvertible {
  /// The service's name ("redis").
  public var service: String
  /// The advertising member's name.
  public var node: String
  /// Where to reach the instance (the member's address filled in).
  public var url: ServiceURL
  /// The health its owner reports.
  public var health: ServiceHealth
  /// The owner's membership state as this node sees it.
  public var memberState: MemberState
  /// When the node whose view this is saw the owner's state last change,
  /// on that node's monotonic clock (see `Member.stateChanged`).
  public var stateChanged: Timestamp

  /// Creates an instance.
  public init(
    service: String, node: String, url: ServiceURL, health: ServiceHealth,
    memberState: MemberState, stateChanged: Timestamp = .zero
  ) {
    self.service = service
    self.node = node
    self.url = url
    self.health = health
    self.memberState = memberState
    self.stateChanged = stateChanged
  }

  /// This instance with its text in storage of its own
  /// (`ServiceCatalog.withPrivateChoices`).
  func privateCopy() -> ServiceInstance {
    var copy = self
    copy.service = ServiceCatalog.privateCopy(service)
    copy.node = ServiceCatalog.privateCopy(node)
    copy.url = ServiceURL(
      scheme: ServiceCatalog.privateCopy(url.scheme), host: ServiceCatalog.privateCopy(url.host),
      port: url.port, path: ServiceCatalog.privateCopy(url.path))
    return copy
  }

  /// A stable key for per-instance state (circuit breakers, counters).
  public var key: String { "\(service)@\(node)" }

  /// "redis@cache-1 redis://10.0.0.7:6379 (passing)".
  public var description: String { "\(key) \(url) (\(health.rawValue))" }
}
