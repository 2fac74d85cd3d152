/// Static settings for one service (`services.<name>` in the file, or
/// `<NAME>_HOST` / `<NAME>_PORT`): where to find it when gossip cannot say,
/// and how patiently to call it. Unset fields fall back to the deployment
/// mode's conventions and the defaults below.
public struct ServiceEndpoint: Hashable, Sendable {
  /// Ten seconds, the brief's Redis timeout: long enough for a cold
  /// connection across data centres, short enough to fail over.
  public static let defaultTimeout: Duration = .seconds(10)
  /// Three attempts, the brief's value for its AI stack.
  public static let defaultRetries = 3

  /// The service's name (a lowercase DNS label).
  public var name: String
  /// The URL scheme, when the service is not a known one.
  public var scheme: String?
  /// The host name or address.
  public var host: String?
  /// The port.
  public var port: UInt16?
  /// How long one call may take.
  public var timeout: Duration?
  /// How many times a failed call is retried.
  public var retries: Int?

  /// Creates an endpoint; nil fields are unset.
  public init(
    name: String, scheme: String? = nil, host: String? = nil, port: UInt16? = nil,
    timeout: Duration? = nil, retries: Int? = nil
  ) {
    self.name = name
    self.scheme = scheme
    self.host = host
    self.port = port
    self.timeout = timeout
    self.retries = retries
  }
}
