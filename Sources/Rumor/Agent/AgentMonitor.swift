import RumorWire
import Synchronization

/// What `GET /v1/monitor` streams (`rumor monitor`, Serf's `serf
/// monitor`): the agent's recent log lines, then its lines and events as
/// they happen, each with its level, to every monitor client that asked
/// for that level or a lower one.
///
/// The recent lines are the last `recentLimit` records (at most
/// `recentBytes` bytes), kept from the start, before any API serves
/// them. Each record has a number (the event's `id`) that grows in
/// stream order, so a client skips one it has already seen.
///
/// Records go through the API's HTTP server: a bounded queue to its
/// thread (a record that finds it full is dropped and counted in
/// `dropped`), then each client's bounded backlog (a client that reads
/// too slowly is dropped, counted with the other stream clients in
/// `HTTPServerCounters.slowStreamsDropped`). Logging never waits on a
/// client.
///
/// It is also a `RumorLogHandler`, so that a node's own records reach the
/// monitor: give it as the node's `logHandler`, with `forwardingTo` the
/// handler that writes them down.
public final class AgentMonitor: RumorLogHandler, Sendable {
  private struct State {
    var server: HTTPServer?
    var number: UInt64 = 0
    /// The recent records, oldest first, encoded.
    var recent: [(level: RumorLogLevel, event: [UInt8])] = []
    var recentStart = 0
    var recentBytes = 0
  }

  /// The most records kept for a monitor that connects later.
  public static let recentLimit = 256
  /// The most bytes they take.
  public static let recentBytes = 64 * 1024

  private let state = Mutex(State())
  private let droppedCount = Atomic<Int>(0)
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

  /// Keeps one line at `level` among the recent ones and sends it to the
  /// clients that watch that level.
  public func record(_ level: RumorLogLevel, _ line: String) {
    let data = JSONValue.object([("level", .string(level.description)), ("line", .string(line))])
      .text
    let topics = Set(RumorLogLevel.allCases.filter { $0 <= level }.map(Self.topic))
    // Numbered, kept and queued under one lock, so that the numbers grow
    // in the order the clients get the records.
    let taken = state.withLock { state -> Bool in
      state.number &+= 1
      let event = ServerSentEvent(event: "log", id: String(state.number), data: data).encoded
      state.recent.append((level, event))
      state.recentBytes += event.count
      while state.recent.count - state.recentStart > Self.recentLimit
        || state.recentBytes > Self.recentBytes
      {
        state.recentBytes -= state.recent[state.recentStart].event.count
        state.recentStart += 1
      }
      // Drop the forgotten prefix now and then, not on every record.
      if state.recentStart >= Self.recentLimit {
        state.recent.removeFirst(state.recentStart)
        state.recentStart = 0
      }
      return state.server?.broadcast(event, topics: topics) ?? true
    }
    if !taken { droppedCount.add(1, ordering: .relaxed) }
  }

  /// The recent records at `level` and above, encoded, oldest first: what
  /// a monitor that connects now gets first.
  func recent(from level: RumorLogLevel) -> [UInt8] {
    state.withLock { state in
      var bytes: [UInt8] = []
      for record in state.recent[state.recentStart...] where record.level >= level {
        bytes += record.event
      }
      return bytes
    }
  }

  /// Records dropped because the server's queue was full.
  public var dropped: Int { droppedCount.load(ordering: .relaxed) }

  /// The stream topic of the clients that watch `level` and above.
  static func topic(_ level: RumorLogLevel) -> String { "monitor.\(level)" }

  /// Starts sending records through `server` (nil stops).
  func attach(_ server: HTTPServer?) {
    state.withLock { $0.server = server }
  }
}
