import RumorWire

/// What the DNS interface asks about the cluster: the instances of a
/// service and the addresses of a node. `DNSDirectory.live(registry:)`
/// reads a running node's registry; tests give fixed answers.
public struct DNSDirectory: Sendable {
  /// One place a service answers.
  public struct Target: Hashable, Sendable {
    /// The member advertising it ("" when the registry's configuration or
    /// environment named it, not gossip).
    public var node: String
    /// The host of its URL: an IP address, or a name.
    public var host: String
    /// Its port.
    public var port: UInt16
    /// Whether `host` is the member's own gossip address (then the SRV
    /// target is `NODE.node.DOMAIN`).
    public var isNodeAddress: Bool

    /// Creates a target.
    public init(node: String, host: String, port: UInt16, isNodeAddress: Bool) {
      self.node = node
      self.host = host
      self.port = port
      self.isNodeAddress = isNodeAddress
    }
  }

  /// The eligible instances of the service named (lower-cased), in the
  /// order its strategy picks them; empty when it exists but none is
  /// eligible; nil when the service is unknown.
  public var service: @Sendable (String) -> [Target]?
  /// The addresses of the member named (lower-cased, compared without
  /// regard to case), nil when there is no such member.
  public var node: @Sendable (String) -> [NodeAddress]?

  /// A directory answering with these functions.
  public init(
    service: @escaping @Sendable (String) -> [Target]?,
    node: @escaping @Sendable (String) -> [NodeAddress]?
  ) {
    self.service = service
    self.node = node
  }
}
