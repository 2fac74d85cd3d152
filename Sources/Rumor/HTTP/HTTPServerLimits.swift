/// The bounds of an `HTTPServer` (docs/security.md): every resource a
/// client can make it spend.
public struct HTTPServerLimits: Sendable, Hashable {
  /// Most connections open at once. When all are taken, the oldest
  /// connection that is idle or still sending its request is closed to
  /// make room.
  public var maximumConnections = 256
  /// Most bytes of request line and headers.
  public var maximumHead = 16_384
  /// Most header fields.
  public var maximumHeaders = 64
  /// Most body bytes.
  public var maximumBody = 65_536
  /// Most requests parked at once: blocking queries and answers computed
  /// off the server's thread.
  public var maximumParked = 128
  /// Most stream (Server-Sent Events) clients at once.
  public var maximumStreams = 32
  /// Most bytes queued for one stream client; one that falls further
  /// behind is dropped.
  public var maximumStreamBacklog = 262_144
  /// How long a new connection may wait before its first byte.
  public var firstByteTimeout: Duration = .seconds(5)
  /// How long a kept-alive connection may sit idle between requests.
  public var idleTimeout: Duration = .seconds(30)
  /// How long a client has to send a whole request once it started.
  public var requestTimeout: Duration = .seconds(5)
  /// How long a client has to take a whole reply.
  public var writeTimeout: Duration = .seconds(10)
  /// How long a deferred answer may take.
  public var laterTimeout: Duration = .seconds(30)
  /// How often stream clients get a comment line, so that proxies keep
  /// the connection open and a gone client is noticed.
  public var heartbeat: Duration = .seconds(15)

  /// The defaults above.
  public init() {}
}
