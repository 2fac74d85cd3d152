import RumorWire
import Synchronization

/// What `GET /v1/monitor` streams (`rumor monitor`, Serf's `serf
/// monitor`): the agent's log lines and events as they happen, each with
/// its level, to every monitor client that asked for that level or a
/// lower one.
///
/// Records go through the API's HTTP server: a bounded queue to its
/// thread (a record that finds it full is dropped and counted in
/// `dropped`), then each client's bounded backlog (a client that reads
/// too slowly is dropped, counted with the other stream clients in
/// `HTTPServerCounters.slowStreamsDropped`). Logging never waits on a
/// client. Before an `AgentAPI` serves it, or after it stops, records go
/// nowhere.
///
/// It is also a `RumorLogHandler`, so that a node's own records reach the
/// monitor: give it as the node's `logHandler`, with `forwardingTo` the
/// handler that writes them down.
public final class AgentMonitor: RumorLogHandler, Sendable {
  private let server = Mutex<HTTPServer?>(nil)
  private let droppedCount = Atomic<Int>(0)
  private let number = Atomic<UInt64>(0)
  private let forwarded: (any RumorLogHandler)?

  /// Creates a monitor; node records are also handed to `forwarded`
  /// (from its own level up).
  public init(forwardingTo forwarded: (any RumorLogHandler)? = nil) {
    self.forwarded = forwarded
  }

  /// Records are built from `info` up (a monitor may ask for them), and
  /// from the forwarded handler's level if it is lower.
  public var logLevel: RumorLogLevel { min(.info, forwarded?.logLevel ?? .info) }

  /// Hands a node's record to the forwarded handler (at its level) and
  /// to the monitor clients.
  public func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
    if let forwarded, level >= forwarded.logLevel {
      forwarded.log(level: level, message: message, metadata: metadata)
    }
    record(level, message)
  }

  /// Sends one line at `level` to the clients that watch that level.
  public func record(_ level: RumorLogLevel, _ line: String) {
    guard let server = server.withLock({ $0 }) else { return }
    let event = ServerSentEvent(
      event: "log", id: String(number.add(1, ordering: .relaxed).newValue),
      data: JSONValue.object([("level", .string(level.description)), ("line", .string(line))])
        .text)
    let topics = Set(RumorLogLevel.allCases.filter { $0 <= level }.map(Self.topic))
    if !server.broadcast(event.encoded, topics: topics) {
      droppedCount.add(1, ordering: .relaxed)
    }
  }

  /// Records dropped because the server's queue was full.
  public var dropped: Int { droppedCount.load(ordering: .relaxed) }

  /// The stream topic of the clients that watch `level` and above.
  static func topic(_ level: RumorLogLevel) -> String { "monitor.\(level)" }

  /// Starts sending records through `server` (nil stops).
  func attach(_ server: HTTPServer?) {
    self.server.withLock { $0 = server }
  }
}
