/// `RumorNode.run()`'s error when the node stopped on its own: its event
/// loop could not go on (the system kept refusing to poll its sockets).
/// The process embedding it should not look healthy after that.
public struct NodeStoppedError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What stopped the node (`RumorNode.failure`).
  public var reason: String

  /// Creates the error.
  public init(reason: String) {
    self.reason = reason
  }

  /// "the node stopped on its own: REASON".
  public var description: String { "the node stopped on its own: \(reason)" }
}
