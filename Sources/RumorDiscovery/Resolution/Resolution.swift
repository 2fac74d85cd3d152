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

  /// Creates a resolution.
  public init(
    service: String, url: ServiceURL, source: ResolutionSource, instance: ServiceInstance? = nil,
    explanation: [String] = []
  ) {
    self.service = service
    self.url = url
    self.source = source
    self.instance = instance
    self.explanation = explanation
  }

  /// The URL as text.
  public var description: String { url.description }
}
