/// What an `HTTPServer` answered, refused or cut short. Each connection
/// that ends for one of the refusal reasons is counted once.
public struct HTTPServerCounters: Sendable, Hashable {
  /// Connections accepted.
  public var connections = 0
  /// Requests answered (any status).
  public var requests = 0
  /// Requests refused as malformed (400, 431, 505, 501).
  public var malformed = 0
  /// Requests whose body was over the limit (413).
  public var oversized = 0
  /// Connections closed at once: every slot was busy with a request being
  /// answered, parked or streamed, so nobody could be evicted.
  public var refusedBusy = 0
  /// Idle or still-sending connections closed to make room for a new one
  /// (the oldest goes first).
  public var evicted = 0
  /// Connections that sent nothing within the first-byte or idle deadline.
  public var idleClosed = 0
  /// Connections that had not sent a whole request in time (slow-loris).
  public var requestTimeouts = 0
  /// Replies not taken by the client in time, or cut by a reset.
  public var repliesCut = 0
  /// Blocking queries, deferred answers or streams refused because as
  /// many as allowed were already open (503).
  public var refusedParked = 0
  /// Stream clients dropped because they read too slowly.
  public var slowStreamsDropped = 0
  /// Deferred answers that did not come in time (504).
  public var laterTimeouts = 0

  /// No counts.
  public init() {}
}
