/// Why an effective configuration cannot start a node (an address that is
/// a name, not an IP address), in words naming the key and its origin.
public struct NodeConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The explanation, e.g. "gossip.bind = db:7946 (environment
  /// RUMOR_BIND) is not a numeric address; ...".
  public var description: String

  /// Creates an error with its explanation.
  public init(description: String) {
    self.description = description
  }
}
