/// How a route answers a request: now, later, when something changes, or
/// with a stream.
public enum HTTPReply: Sendable {
  /// This response, now.
  case response(HTTPResponse)
  /// Work off the server's thread (a health probe, a write to the node):
  /// `start` is called once on the server's thread and must return at
  /// once; it calls its argument once, from any thread, with the
  /// response. The server answers 504 if that takes longer than
  /// `HTTPServerLimits.laterTimeout`.
  case later(@Sendable (_ complete: @escaping @Sendable (HTTPResponse) -> Void) -> Void)
  /// A blocking query (`HTTPWatch`): parked until its answer changes or
  /// its wait is over.
  case watch(HTTPWatch)
  /// A stream: this response's head and body, then every chunk passed to
  /// `HTTPServer.broadcast(_:topics:)` for `topic`, until the client
  /// leaves.
  case stream(HTTPResponse, topic: String = "")
}
