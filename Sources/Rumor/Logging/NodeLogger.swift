/// A node's handle on its log handler: nothing at all when there is none
/// (the library's default), and records below the handler's level never
/// built.
struct NodeLogger: Sendable {
  /// Where records go; nil for a silent node.
  let handler: (any RumorLogHandler)?

  /// Whether a record at `level` would be handed over.
  func enabled(_ level: RumorLogLevel) -> Bool {
    guard let handler else { return false }
    return level >= handler.logLevel
  }

  /// Hands over one record, if the handler wants its level.
  func log(
    _ level: RumorLogLevel, _ message: @autoclosure () -> String,
    _ metadata: @autoclosure () -> [String: String] = [:]
  ) {
    guard let handler, level >= handler.logLevel else { return }
    handler.log(level: level, message: message(), metadata: metadata())
  }
}
