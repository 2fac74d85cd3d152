import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A small HTTP/1.1 server for APIs: keep-alive, request bodies, a route
/// table (`HTTPRouter`), answers computed off its thread, blocking
/// queries and Server-Sent Events streams, all on one thread of its own
/// that never blocks on a client.
///
/// Bounded by `HTTPServerLimits` (docs/security.md): connections, head,
/// header count and body sizes, parked requests and streams; deadlines
/// for the first byte, idle keep-alive, a whole request and a whole
/// reply; a stream client that falls behind is dropped, never buffered
/// without bound. When every connection slot is taken, the oldest idle or
/// still-sending connection makes room. Each refusal is counted
/// (`counters`). Requests are parsed by `HTTPRequestParser`.
public final class HTTPServer: Sendable {
  /// Where it listens.
  public let address: NodeAddress
  private let waker: WakeSender
  private let inbox = Inbox()

  /// What other threads hand the serving thread.
  fileprivate final class Inbox: Sendable {
    struct State {
      var completions: [(id: UInt64, response: HTTPResponse)] = []
      var broadcasts: [(bytes: [UInt8], topics: Set<String>)] = []
      var changed = false
    }
    let state = Mutex(State())
    let counters = Mutex(HTTPServerCounters())
    /// Chunks waiting for the serving thread; more are dropped (the
    /// serving thread never falls this far behind unless it is stuck).
    static let maximumBroadcasts = 4_096
  }

  /// What it answered, refused or cut short so far.
  public var counters: HTTPServerCounters { inbox.counters.withLock { $0 } }

  /// Starts listening on `bind` (port 0 picks a free port) and serves
  /// `router` on a thread named after `name`.
  public init(
    bind: NodeAddress, router: HTTPRouter, limits: HTTPServerLimits = HTTPServerLimits(),
    name: String = "http"
  ) throws(TransportError) {
    let serving = try ServingThread(listeningOn: bind)
    address = serving.address
    waker = serving.waker
    // The loop is made on the serving thread, which alone ever holds it;
    // only Sendable values cross over.
    let (listener, wake, waker, inbox) = (serving.listener, serving.wake, serving.waker, inbox)
    try serving.start(name: name) {
      Loop(
        listener: listener, wake: wake, waker: waker, router: router, limits: limits,
        inbox: inbox
      ).run()
    }
  }

  /// Stops listening and closes every connection.
  public func stop() {
    // Closing the write end wakes the loop with end-of-file: it stops.
    waker.close()
  }

  deinit { stop() }

  /// Says that what parked requests watch may have changed: each is
  /// checked again on the serving thread.
  public func changed() {
    inbox.state.withLock { $0.changed = true }
    waker.wake()
  }

  /// Sends `bytes` to every stream client whose topic (`HTTPReply.stream`)
  /// is in `topics` (by default the plain streams'). Returns false when
  /// the chunk was dropped: the serving thread is that far behind.
  @discardableResult
  public func broadcast(_ bytes: [UInt8], topics: Set<String> = [""]) -> Bool {
    let taken = inbox.state.withLock { state in
      guard state.broadcasts.count < Inbox.maximumBroadcasts else { return false }
      state.broadcasts.append((bytes, topics))
      return true
    }
    if taken { waker.wake() }
    return taken
  }
}

extension HTTPServer {
  /// The serving thread's state, made on that thread and never shared.
  fileprivate final class Loop {
    let listener: Int32
    let wake: Int32
    let waker: WakeSender
    let router: HTTPRouter
    let limits: HTTPServerLimits
    let inbox: Inbox
    var connections: [Int32: Connection] = [:]
    var nextID: UInt64 = 1
    var lastHeartbeat: Int64 = 0

    enum Phase {
      case reading
      case parked(deadline: Int64, watch: HTTPWatch?)
      case writing
      case streaming
    }

    /// One client's state, changed in place (a class: the table is not
    /// rewritten, nor the state copied, at each step of a request).
    final class Connection {
      let id: UInt64
      let client: NodeAddress?
      var parser: HTTPRequestParser
      var phase: Phase = .reading
      /// When the phase began (for reading: when the connection became
      /// idle).
      var since: Int64
      /// When the first byte of the request being read came.
      var requestStarted: Int64?
      /// No request answered yet (the first-byte deadline applies).
      var fresh = true
      var output: [UInt8] = []
      var written = 0
      var lastProgress: Int64
      var closeAfterWrite = false
      var headOnly = false
      var keepAlive = true
      /// A stream client's topic: which broadcasts it gets.
      var topic = ""

      var isParked: Bool {
        if case .parked = phase { return true }
        return false
      }
      var isStreaming: Bool {
        if case .streaming = phase { return true }
        return false
      }
      var isReading: Bool {
        if case .reading = phase { return true }
        return false
      }

      init(id: UInt64, client: NodeAddress?, parser: HTTPRequestParser, now: Int64) {
        self.id = id
        self.client = client
        self.parser = parser
        since = now
        lastProgress = now
      }
    }

    init(
      listener: Int32, wake: Int32, waker: WakeSender, router: HTTPRouter, limits: HTTPServerLimits,
      inbox: Inbox
    ) {
      self.listener = listener
      self.wake = wake
      self.waker = waker
      self.router = router
      self.limits = limits
      self.inbox = inbox
    }

    func count(_ change: (inout HTTPServerCounters) -> Void) {
      inbox.counters.withLock { change(&$0) }
    }

    func run() {
      var chunk = [UInt8](repeating: 0, count: 16_384)
      var watched: [pollfd] = []
      lastHeartbeat = BlockingExchange.monotonicNanoseconds()
      var running = true
      while running {
        watched.removeAll(keepingCapacity: true)
        watched.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
        watched.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
        for (descriptor, connection) in connections {
          var events = POLLIN
          switch connection.phase {
          case .writing: events = POLLOUT
          case .streaming: events = connection.written < connection.output.count ? POLLOUT : POLLIN
          default: break
          }
          watched.append(pollfd(fd: descriptor, events: Int16(events), revents: 0))
        }
        let ready = watched.withUnsafeMutableBufferPointer { buffer in
          poll(buffer.baseAddress, nfds_t(buffer.count), waitMilliseconds())
        }
        let now = BlockingExchange.monotonicNanoseconds()
        if ready > 0 {
          for entry in watched where entry.revents != 0 {
            if entry.fd == wake {
              running = drainWake()
            } else if entry.fd == listener {
              acceptAll(now: now)
            } else {
              serve(entry.fd, revents: entry.revents, now: now, chunk: &chunk)
            }
          }
        }
        takeInbox(now: now)
        expire(now: now)
      }
      for descriptor in connections.keys { close(descriptor) }
      connections = [:]
      close(listener)
      close(wake)
    }

    /// Until the nearest deadline, at most 250 ms.
    func waitMilliseconds() -> Int32 {
      let now = BlockingExchange.monotonicNanoseconds()
      var nearest = now + 250_000_000
      for connection in connections.values {
        if case .parked(let deadline, _) = connection.phase { nearest = min(nearest, deadline) }
      }
      return Int32(clamping: max(0, (nearest - now + 999_999) / 1_000_000))
    }

    /// Reads the wake-up bytes; false once the write end is closed (stop).
    func drainWake() -> Bool {
      var bytes = [UInt8](repeating: 0, count: 256)
      while true {
        let count = bytes.withUnsafeMutableBytes {
          recv(wake, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
        }
        if count == 0 { return false }
        if count < 0 { return errno == EAGAIN || errno == EINTR }
      }
    }

    func drop(_ descriptor: Int32) {
      close(descriptor)
      connections[descriptor] = nil
    }

    // MARK: Accepting

    func acceptAll(now: Int64) {
      while let (descriptor, peer) = Sockets.accept(on: listener) {
        guard makeRoom() else {
          close(descriptor)
          continue
        }
        var noDelay: Int32 = 1
        _ = setsockopt(
          descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay,
          socklen_t(MemoryLayout<Int32>.size))
        count { $0.connections += 1 }
        connections[descriptor] = Connection(
          id: nextID, client: peer,
          parser: HTTPRequestParser(
            maximumHead: limits.maximumHead, maximumBody: limits.maximumBody,
            maximumHeaders: limits.maximumHeaders), now: now)
        nextID += 1
      }
    }

    /// Frees a slot when all are taken: the connection that has been idle
    /// or sending its request longest goes. False when none can.
    func makeRoom() -> Bool {
      guard connections.count >= limits.maximumConnections else { return true }
      let victim = connections.filter { $0.value.isReading }
        .min {
          ($0.value.requestStarted ?? $0.value.since) < ($1.value.requestStarted ?? $1.value.since)
        }
      guard let victim else {
        count { $0.refusedBusy += 1 }
        return false
      }
      count { $0.evicted += 1 }
      drop(victim.key)
      return true
    }

    // MARK: Reading and writing

    func serve(_ descriptor: Int32, revents: Int16, now: Int64, chunk: inout [UInt8]) {
      guard let connection = connections[descriptor] else { return }
      if revents & Int16(POLLOUT) != 0 {
        flush(descriptor, connection, now: now)
        guard connections[descriptor] === connection else { return }
        if connection.isReading { process(descriptor, now: now) }
        return
      }
      let received = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if received < 0 && (errno == EAGAIN || errno == EINTR) { return }
      guard received > 0 else {
        drop(descriptor)
        return
      }
      if connection.isStreaming { return }  // a stream client has nothing to say
      connection.parser.append(chunk[0..<received])
      if connection.requestStarted == nil { connection.requestStarted = now }
      if connection.isReading {
        process(descriptor, now: now)
      } else if connection.parser.buffer.count > limits.maximumHead + limits.maximumBody {
        count { $0.oversized += 1 }
        drop(descriptor)
      }
    }

    /// Answers the requests the connection's bytes hold, one at a time.
    func process(_ descriptor: Int32, now: Int64) {
      while let connection = connections[descriptor], connection.isReading {
        switch connection.parser.next() {
        case .incomplete:
          if !connection.parser.hasPartialRequest { connection.requestStarted = nil }
          return
        case .invalid(let status, let reason):
          count {
            if status == 413 { $0.oversized += 1 } else { $0.malformed += 1 }
            $0.requests += 1
          }
          connection.closeAfterWrite = true
          connection.headOnly = false
          respond(descriptor, .error(status, reason), now: now)
          return
        case .request(var request):
          count { $0.requests += 1 }
          request.client = connection.client
          connection.keepAlive = request.keepAlive
          connection.headOnly = request.method == "HEAD"
          connection.requestStarted = connection.parser.hasPartialRequest ? now : nil
          connection.fresh = false
          start(descriptor, router.reply(to: request), now: now)
        }
      }
    }

    func start(_ descriptor: Int32, _ reply: HTTPReply, now: Int64) {
      guard let connection = connections[descriptor] else { return }
      // Counted only for a reply that would park (not on every request).
      var parked: Int { connections.values.reduce(0) { $0 + ($1.isParked ? 1 : 0) } }
      switch reply {
      case .response(let response):
        respond(descriptor, response, now: now)
      case .later(let begin):
        guard parked < limits.maximumParked else {
          count { $0.refusedParked += 1 }
          return respond(descriptor, .error(503, "too many requests waiting; try again"), now: now)
        }
        connection.phase = .parked(deadline: now + limits.laterTimeout.nanoseconds, watch: nil)
        connection.since = now
        let id = connection.id
        let inbox = self.inbox
        let waker = self.waker
        begin { response in
          inbox.state.withLock { $0.completions.append((id, response)) }
          waker.wake()
        }
      case .watch(let watch):
        guard parked < limits.maximumParked else {
          count { $0.refusedParked += 1 }
          return respond(
            descriptor, .error(503, "too many blocking queries waiting; try again"), now: now)
        }
        connection.phase = .parked(deadline: now + watch.wait.nanoseconds, watch: watch)
        connection.since = now
      case .stream(let head, let topic):
        guard connections.values.filter(\.isStreaming).count < limits.maximumStreams else {
          count { $0.refusedParked += 1 }
          return respond(descriptor, .error(503, "too many event streams open"), now: now)
        }
        connection.phase = .streaming
        connection.topic = topic
        connection.output = head.streamHead()
        connection.written = 0
        connection.lastProgress = now
        flush(descriptor, connection, now: now)
      }
    }

    /// Queues `response` on the connection and writes what the socket
    /// takes now.
    func respond(_ descriptor: Int32, _ response: HTTPResponse, now: Int64) {
      guard let connection = connections[descriptor] else { return }
      let keepAlive = connection.keepAlive && !connection.closeAfterWrite
      connection.closeAfterWrite = !keepAlive
      connection.output = response.rendered(head: connection.headOnly, keepAlive: keepAlive)
      connection.written = 0
      connection.phase = .writing
      connection.since = now
      flush(descriptor, connection, now: now)
    }

    /// Writes what the socket takes; a finished reply returns the
    /// connection to reading (or closes it). Drops the connection on a
    /// write error.
    func flush(_ descriptor: Int32, _ connection: Connection, now: Int64) {
      while connection.written < connection.output.count {
        let sent = connection.output.withUnsafeBytes { raw in
          Sockets.sendSome(
            on: descriptor, raw.baseAddress.map { $0 + connection.written },
            count: raw.count - connection.written)
        }
        if sent > 0 {
          connection.written += sent
          connection.lastProgress = now
          continue
        }
        if sent < 0 && (errno == EAGAIN || errno == EINTR) { break }
        count { $0.repliesCut += 1 }
        drop(descriptor)
        return
      }
      guard connection.written >= connection.output.count else { return }
      connection.output = []
      connection.written = 0
      if case .writing = connection.phase {
        if connection.closeAfterWrite {
          drop(descriptor)
          return
        }
        connection.phase = .reading
        connection.since = now
      }
    }

    // MARK: From other threads, and time

    func takeInbox(now: Int64) {
      let taken = inbox.state.withLock { state -> Inbox.State in
        defer { state = Inbox.State() }
        return state
      }
      for completion in taken.completions {
        guard
          let (descriptor, _) = connections.first(where: {
            $0.value.id == completion.id && $0.value.isParked
          })
        else { continue }
        respond(descriptor, completion.response, now: now)
        if connections[descriptor]?.isReading == true { process(descriptor, now: now) }
      }
      if taken.changed {
        for (descriptor, connection) in connections {
          guard case .parked(_, let watch?) = connection.phase, let response = watch.check()
          else { continue }
          respond(descriptor, response, now: now)
          if connections[descriptor]?.isReading == true { process(descriptor, now: now) }
        }
      }
      var chunks = taken.broadcasts
      if now - lastHeartbeat >= limits.heartbeat.nanoseconds {
        lastHeartbeat = now
        chunks.append((ServerSentEvent.comment("heartbeat"), []))
      }
      guard !chunks.isEmpty else { return }
      for (descriptor, connection) in connections where connection.isStreaming {
        // A heartbeat (no topics) goes to every stream.
        for chunk in chunks where chunk.topics.isEmpty || chunk.topics.contains(connection.topic) {
          connection.output.append(contentsOf: chunk.bytes)
        }
        if connection.output.count - connection.written > limits.maximumStreamBacklog {
          count { $0.slowStreamsDropped += 1 }
          drop(descriptor)
          continue
        }
        flush(descriptor, connection, now: now)
        // Keep the buffer from growing with what was already sent.
        if connections[descriptor] === connection, connection.written > 65_536 {
          connection.output.removeFirst(connection.written)
          connection.written = 0
        }
      }
    }

    func expire(now: Int64) {
      for (descriptor, connection) in connections {
        switch connection.phase {
        case .reading:
          if let started = connection.requestStarted {
            if now - started > limits.requestTimeout.nanoseconds {
              count { $0.requestTimeouts += 1 }
              drop(descriptor)
            }
          } else {
            let limit = connection.fresh ? limits.firstByteTimeout : limits.idleTimeout
            if now - connection.since > limit.nanoseconds {
              count { $0.idleClosed += 1 }
              drop(descriptor)
            }
          }
        case .parked(let deadline, let watch):
          guard now >= deadline else { continue }
          if let watch {
            respond(descriptor, watch.expired(), now: now)
          } else {
            count { $0.laterTimeouts += 1 }
            respond(descriptor, .error(504, "the answer did not come in time"), now: now)
          }
          if connections[descriptor]?.isReading == true { process(descriptor, now: now) }
        case .writing:
          if now - connection.since > limits.writeTimeout.nanoseconds {
            count { $0.repliesCut += 1 }
            drop(descriptor)
          }
        case .streaming:
          if connection.written < connection.output.count
            && now - connection.lastProgress > limits.writeTimeout.nanoseconds
          {
            count { $0.slowStreamsDropped += 1 }
            drop(descriptor)
          }
        }
      }
    }
  }
}

extension Duration {
  /// Whole nanoseconds, clamped to `Int64`.
  fileprivate var nanoseconds: Int64 { nanosecondsClamped }
}
