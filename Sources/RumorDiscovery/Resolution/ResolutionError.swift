/// No URL for a service: which service, and what each step found.
public struct ResolutionError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The service asked for.
  public var service: String
  /// What each step tried and why it gave nothing.
  public var tried: [String]
  /// Instances left out only because their circuit is open: when this is
  /// not empty the service exists but this process has stopped calling it.
  public var openCircuits: [String]

  /// Creates an error.
  public init(service: String, tried: [String], openCircuits: [String] = []) {
    self.service = service
    self.tried = tried
    self.openCircuits = openCircuits
  }

  /// "no URL for 'redis': environment: …; gossip: …; …".
  public var description: String {
    "no URL for '\(service)': " + tried.joined(separator: "; ")
  }
}
