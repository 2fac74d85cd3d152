/// Where a node's log records go: the shape of swift-log's `LogHandler`
/// (a level, a message, metadata), without the dependency.
///
/// The library is silent by default: a node logs only when it is given a
/// handler (`NodeConfiguration.logHandler`, or
/// `RumorNode.start(configuration:logHandler:)`). It logs what an operator
/// wants to read, never one line per packet: members joining, failing and
/// leaving, joining the cluster through its seeds or failing to, a summary
/// of undecodable traffic once a minute at most, and the node stopping on
/// its own.
///
/// A bridge to swift-log is a few lines (docs/guide.md, "Logs and
/// metrics"); the levels are swift-log's, name for name:
///
/// ```swift
/// struct SwiftLogHandler: RumorLogHandler {
///   var logger = Logger(label: "rumor")
///   func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
///     logger.log(level: Logger.Level(rawValue: "\(level)") ?? .info, "\(message)",
///                metadata: metadata.mapValues { .string($0) })
///   }
/// }
/// ```
///
/// Records are handed over from the node's background tasks, never from
/// its protocol thread, so a slow handler delays only other log records.
public protocol RumorLogHandler: Sendable {
  /// The lowest level handed to `log`; records below it are not built.
  var logLevel: RumorLogLevel { get }

  /// Handles one record. `metadata` names what the message is about
  /// (`member`, `address`, `event`, `seeds`, ...); values that came from
  /// the network (member names) are as the peer sent them, so a handler
  /// that writes lines should escape them.
  func log(level: RumorLogLevel, message: String, metadata: [String: String])
}

extension RumorLogHandler {
  /// `.info` unless the handler says otherwise.
  public var logLevel: RumorLogLevel { .info }
}
