/// The answer to "where is this service?", with how it was reached.
public struct Resolution: Hashable, Sendable, CustomStringConvertible {
  /// The service asked for.
  public var service: String
  /// The URL to call, with the requested path appended.
  public var url: ServiceURL
  /// The step that answered.
  public var source: ResolutionSource
  /// The gossip instance chosen, when gossip answered.
  public var instance: ServiceInstance?
  /// One line per step tried, in order, each saying what it found and
  /// what it skipped and why; the last says what answered.
  public var explanation: [String]
  /// How old the information behind the answer is: zero for the
  /// environment and the configuration; for gossip, the time since the
  /// chosen instance's state was last confirmed (the later of its last
  /// change and this node's last first-hand exchange with the cluster).
  /// Nil when unknown (a view reported by a peer).
  public var age: Duration?

  /// Creates a resolution.
  public init(
    service: String, url: ServiceURL, source: ResolutionSource, instance: ServiceInstance? = nil,
    explanation: [String] = [], age: Duration? = nil
  ) {
    self.service = service
    self.url = url
    self.source = source
    self.instance = instance
    self.explanation = explanation
    self.age = age
  }

  /// The URL as text.
  public var description: String { url.description }
}
