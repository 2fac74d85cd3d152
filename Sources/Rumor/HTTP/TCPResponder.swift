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
/// At most 256 connections and 10 s each, 1 MiB per request. The HTTP
/// responder, and stand-ins that speak a line protocol (a Redis `PING`),
/// are built on it.
public final class TCPResponder: Sendable {
  /// Where it listens.
  public let address: NodeAddress
  private let stopped = Mutex(false)
  private let listener: Int32
  private let wake: (read: Int32, write: Int32)

  /// The most a request may grow to before the connection is dropped.
  static let maximumRequest = 1 << 20

  /// Starts listening on `bind` (port 0 picks a free port), on a thread
  /// named after `name`. `answer` sees the bytes received so far on a
  /// connection and returns the whole reply once they form a request, or
  /// nil to wait for more.
  public init(
    bind: NodeAddress, name: String = "tcp",
    answer: @escaping @Sendable ([UInt8]) -> [UInt8]?
  ) throws {
    listener = try Sockets.listener(boundTo: bind)
    var bound = Sockets.localAddress(of: listener) ?? bind
    if bind.port != 0 { bound.port = bind.port }
    address = bound
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      close(listener)
      throw TransportError("cannot create a pipe: \(SocketAddress.errorText())")
    }
    wake = (ends[0], ends[1])
    let listener = self.listener
    let wakeRead = wake.read
    OwnerThread.start(name: "rumor-\(name)-\(bound.port)") {
      Self.serve(listener: listener, wake: wakeRead, answer: answer)
    }
  }

  /// Stops listening and closes the socket (connections in progress end).
  public func stop() {
    let first = stopped.withLock { stopped -> Bool in
      defer { stopped = true }
      return !stopped
    }
    guard first else { return }
    var one: UInt8 = 1
    _ = write(wake.write, &one, 1)
  }

  deinit {
    stop()
  }

  private struct Client {
    var request: [UInt8] = []
    var response: [UInt8] = []
    var written = 0
    let deadline: Int64
  }

  private static func serve(
    listener: Int32, wake: Int32, answer: @Sendable ([UInt8]) -> [UInt8]?
  ) {
    var clients: [Int32: Client] = [:]
    var running = true
    while running {
      var watched = [
        pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
      ]
      for (descriptor, client) in clients {
        let events = client.response.isEmpty ? POLLIN : POLLOUT
        watched.append(pollfd(fd: descriptor, events: Int16(events), revents: 0))
      }
      let ready = poll(&watched, nfds_t(watched.count), 1_000)
      let now = BlockingExchange.monotonicNanoseconds()
      for (descriptor, client) in clients where client.deadline < now {
        close(descriptor)
        clients[descriptor] = nil
      }
      guard ready > 0 else { continue }
      for entry in watched where entry.revents != 0 {
        if entry.fd == wake {
          running = false
        } else if entry.fd == listener {
          while let (descriptor, _) = Sockets.accept(on: listener) {
            guard clients.count < 256 else {
              close(descriptor)
              continue
            }
            clients[descriptor] = Client(deadline: now + 10_000_000_000)
          }
        } else if var client = clients[entry.fd] {
          if client.response.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
            if count <= 0 && !(count < 0 && errno == EAGAIN) {
              close(entry.fd)
              clients[entry.fd] = nil
              continue
            }
            client.request.append(contentsOf: chunk[0..<max(0, count)])
            if let reply = answer(client.request) {
              client.response = reply
            } else if client.request.count > maximumRequest {
              close(entry.fd)
              clients[entry.fd] = nil
              continue
            }
          }
          if !client.response.isEmpty {
            let count = client.response.withUnsafeBytes { raw in
              write(
                entry.fd, raw.baseAddress.map { $0 + client.written }, raw.count - client.written)
            }
            if count > 0 { client.written += count }
            if count < 0 && errno != EAGAIN || client.written >= client.response.count {
              close(entry.fd)
              clients[entry.fd] = nil
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
}
