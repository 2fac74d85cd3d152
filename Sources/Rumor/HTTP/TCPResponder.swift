import FoundationEssentials
import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A small TCP server for one-request-per-connection protocols: reads
/// until `answer` recognises a whole request, writes the reply, closes.
/// The HTTP responder, and stand-ins that speak a line protocol (a Redis
/// `PING`), are built on it.
///
/// Bounded against slow and idle clients (slow-loris): at most
/// `maximumClients` connections, `requestTimeout` to send a whole request
/// and `timeout` in all, `maximumRequest` bytes. When every slot is taken,
/// the oldest client still sending its request is closed to make room, so
/// clients that trickle bytes cannot keep others out; and a few slots are
/// kept for connections from this host's own address (a node checking
/// its own service's health), which clients elsewhere cannot take. Each
/// refusal is counted in `counters`. See docs/security.md.
public final class TCPResponder: Sendable {
  /// Where it listens.
  public let address: NodeAddress
  private let waker: WakeSender
  private let counts = Counts()

  /// The counters, shared with the serving thread.
  private final class Counts: Sendable {
    let value = Mutex(TCPResponderCounters())
  }

  /// The most a request may grow to before the connection is dropped.
  static let maximumRequest = 1 << 20
  /// Most connections open at once, the reserved ones included.
  static let maximumClients = 256
  /// Slots only connections from this host's own address may take.
  static let reservedForSelf = 16
  /// How long a client has to send its whole request.
  static let requestTimeout: Int64 = 5_000_000_000
  /// How long a connection may last in all, reply included.
  static let timeout: Int64 = 10_000_000_000

  /// What it refused or cut short so far.
  public var counters: TCPResponderCounters { counts.value.withLock { $0 } }

  /// Starts listening on `bind` (port 0 picks a free port), on a thread
  /// named after `name`. `answer` sees the bytes received so far on a
  /// connection and returns the whole reply once they form a request, or
  /// nil to wait for more.
  public convenience init(
    bind: NodeAddress, name: String = "tcp",
    answer: @escaping @Sendable ([UInt8]) -> [UInt8]?
  ) throws {
    try self.init(bind: bind, name: name, terminator: nil, maximumHead: 0, answer: answer)
  }

  /// As above; with a `terminator` (HTTP's blank line), `answer` is
  /// called only once the bytes hold it, or hold `maximumHead` bytes
  /// without it (to refuse them), and each read is searched once: a
  /// request sent a byte at a time costs no more than one sent at once.
  init(
    bind: NodeAddress, name: String, terminator: [UInt8]?, maximumHead: Int,
    answer: @escaping @Sendable ([UInt8]) -> [UInt8]?
  ) throws {
    let serving = try ServingThread(listeningOn: bind)
    address = serving.address
    waker = serving.waker
    let counts = self.counts
    let server = Server(
      listener: serving.listener, wake: serving.wake, terminator: terminator,
      maximumHead: maximumHead, answer: answer)
    try serving.start(name: name) {
      server.serve { change in counts.value.withLock { change(&$0) } }
    }
  }

  /// Stops listening and closes the socket (connections in progress end).
  public func stop() {
    // End-of-file on its end wakes the serving thread, which then closes
    // its sockets and that end.
    waker.close()
  }

  deinit {
    stop()
  }

  /// The serving loop's state, owned by its thread.
  fileprivate struct Server: Sendable {
    let listener: Int32
    let wake: Int32
    let terminator: [UInt8]?
    let maximumHead: Int
    let answer: @Sendable ([UInt8]) -> [UInt8]?
  }
}

extension TCPResponder.Server {
  fileprivate struct Client {
    var request: [UInt8] = []
    var response: [UInt8] = []
    var written = 0
    let accepted: Int64
    let fromSelf: Bool
    /// Where the search for the terminator resumes.
    var searched = 0
    var answered = false
  }

  func serve(count: (_ change: (inout TCPResponderCounters) -> Void) -> Void) {
    var clients: [Int32: Client] = [:]
    var running = true
    var chunk = [UInt8](repeating: 0, count: 16_384)
    func drop(_ descriptor: Int32) {
      close(descriptor)
      clients[descriptor] = nil
    }
    while running {
      var watched = [
        pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
      ]
      for (descriptor, client) in clients {
        let events = client.answered ? POLLOUT : POLLIN
        watched.append(pollfd(fd: descriptor, events: Int16(events), revents: 0))
      }
      let ready = poll(&watched, nfds_t(watched.count), 250)
      let now = BlockingExchange.monotonicNanoseconds()
      for (descriptor, client) in clients {
        if !client.answered && now - client.accepted > TCPResponder.requestTimeout {
          count { $0.requestTimeouts += 1 }
          drop(descriptor)
        } else if now - client.accepted > TCPResponder.timeout {
          count { $0.timeouts += 1 }
          drop(descriptor)
        }
      }
      guard ready > 0 else { continue }
      for entry in watched where entry.revents != 0 {
        if entry.fd == wake {
          running = false
        } else if entry.fd == listener {
          while let (descriptor, peer) = Sockets.accept(on: listener) {
            let fromSelf =
              peer != nil && Sockets.localAddress(of: descriptor)?.ipBytes == peer?.ipBytes
            guard makeRoom(in: &clients, fromSelf: fromSelf, count: count) else {
              close(descriptor)
              continue
            }
            clients[descriptor] = Client(accepted: now, fromSelf: fromSelf)
          }
        } else if var client = clients[entry.fd] {
          if !client.answered {
            let received = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
            if received < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard received > 0 else {
              drop(entry.fd)
              continue
            }
            client.request.append(contentsOf: chunk[0..<received])
            if let reply = respond(to: &client) {
              client.response = reply
              client.answered = true
              client.request = []
            } else if client.request.count > TCPResponder.maximumRequest
              || (terminator != nil && client.request.count > maximumHead)
            {
              count { $0.oversized += 1 }
              drop(entry.fd)
              continue
            }
          }
          if client.answered {
            let sent = client.response.withUnsafeBytes { raw in
              Sockets.sendSome(
                on: entry.fd, raw.baseAddress.map { $0 + client.written },
                count: raw.count - client.written)
            }
            if sent > 0 { client.written += sent }
            if sent < 0 && errno != EAGAIN && errno != EINTR {
              count { $0.repliesCut += 1 }
              drop(entry.fd)
              continue
            }
            if client.written >= client.response.count {
              drop(entry.fd)
              continue
            }
          }
          clients[entry.fd] = client
        }
      }
    }
    for descriptor in clients.keys { close(descriptor) }
    close(listener)
    close(wake)
  }

  /// The reply once the request is whole. With a terminator, only the
  /// bytes not searched before are searched (and the few before them that
  /// could start it).
  private func respond(to client: inout Client) -> [UInt8]? {
    guard let terminator else { return answer(client.request) }
    let request = client.request
    let last = request.count - terminator.count
    if last >= client.searched {
      for start in client.searched...last
      where request[start] == terminator[0]
        && request[start..<(start + terminator.count)].elementsEqual(terminator)
      {
        return answer(request)
      }
    }
    client.searched = max(0, last + 1)
    return request.count > maximumHead ? answer(request) : nil
  }

  /// Frees a slot for a new connection if every one it may use is taken:
  /// the oldest client still sending its request is closed. False when
  /// none can be (every such client is being answered).
  private func makeRoom(
    in clients: inout [Int32: Client], fromSelf: Bool,
    count: (_ change: (inout TCPResponderCounters) -> Void) -> Void
  ) -> Bool {
    let others = clients.values.filter { !$0.fromSelf }.count
    let selves = clients.count - others
    let full =
      fromSelf
      ? clients.count >= TCPResponder.maximumClients
        && selves >= TCPResponder.reservedForSelf
      : others >= TCPResponder.maximumClients - TCPResponder.reservedForSelf
    guard full else { return true }
    // Evict from the class this connection competes with.
    let victim = clients.filter { !$0.value.answered && $0.value.fromSelf == fromSelf }
      .min { $0.value.accepted < $1.value.accepted }
    guard let victim else {
      count { $0.refusedBusy += 1 }
      return false
    }
    count { $0.evicted += 1 }
    close(victim.key)
    clients[victim.key] = nil
    return true
  }
}
