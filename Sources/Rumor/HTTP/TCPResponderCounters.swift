/// What a `TCPResponder` refused or cut short; each connection that ends
/// unanswered for one of these reasons is counted once.
public struct TCPResponderCounters: Sendable, Hashable {
  /// Connections closed at once: every slot was taken by a client that
  /// had sent its whole request (nobody could be evicted).
  public var refusedBusy = 0
  /// Connections closed at once because their source address had
  /// `TCPResponder.maximumPerSource` open.
  public var refusedPerSource = 0
  /// Clients still sending their request, closed to make room for a new
  /// connection when every slot was taken (the oldest goes first).
  public var evicted = 0
  /// Clients that had not sent a whole request within
  /// `TCPResponder.requestTimeout`.
  public var requestTimeouts = 0
  /// Clients whose reply was not taken within `TCPResponder.timeout`.
  public var timeouts = 0
  /// Requests larger than the responder allows.
  public var oversized = 0
  /// Replies that could not be written because the client reset or
  /// closed the connection.
  public var repliesCut = 0

  /// No counts.
  public init() {}
}
