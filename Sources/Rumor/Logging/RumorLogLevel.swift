/// How much a log record matters: swift-log's `Logger.Level`, case for
/// case, so that a bridge maps one to the other by name.
public enum RumorLogLevel: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
  /// Wire-level detail; Rumor logs nothing at this level today.
  case trace
  /// Detail for debugging the node itself.
  case debug
  /// Membership changes (joined, failed, left, ...): memberlist logs
  /// these at INFO too, since a peer's failure is not this node's error.
  case info
  /// Worth a reader's attention: joined the cluster, or rejoined it.
  case notice
  /// Something is off but the node goes on: no seed answers, peers send
  /// bytes that do not decode.
  case warning
  /// The node stopped on its own (its event loop could not go on).
  case error
  /// Not used by Rumor; present to match swift-log.
  case critical

  /// Orders levels by severity, `trace` lowest.
  public static func < (left: RumorLogLevel, right: RumorLogLevel) -> Bool {
    left.rawValue < right.rawValue
  }

  /// The level's name, as swift-log spells it (`"info"`).
  public var description: String {
    switch self {
    case .trace: "trace"
    case .debug: "debug"
    case .info: "info"
    case .notice: "notice"
    case .warning: "warning"
    case .error: "error"
    case .critical: "critical"
    }
  }
}
