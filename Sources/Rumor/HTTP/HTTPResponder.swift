import Foundation
import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A request as `HTTPResponder` hands it over.
public struct HTTPRequest: Sendable, Hashable {
  /// "GET", "POST", …
  public var method: String
  /// The path and query, e.g. "/health?verbose=1".
  public var target: String
  /// Header names lower-cased.
  public var headers: [String: String]

  /// The path without the query.
  public var path: String {
    String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
  }
}

/// What to answer.
public struct HTTPResponse: Sendable, Hashable {
  /// The status code.
  public var status: Int
  /// The body.
  public var body: [UInt8]
  /// The content type.
  public var contentType: String

  /// Creates a response.
  public init(
    status: Int = 200, body: String = "", contentType: String = "text/plain; charset=utf-8"
  ) {
    self.status = status
    self.body = Array(body.utf8)
    self.contentType = contentType
  }
}

/// A deliberately small HTTP/1.1 server: one request per connection
/// (`Connection: close`), GET and HEAD bodies ignored, 64 KiB of headers
/// at most, 10 s per connection. Enough for health endpoints, the demo's
/// stand-in services and an agent's status page; not a web server.
public final class HTTPResponder: Sendable {
  /// Where it listens.
  public let address: NodeAddress
  private let stopped = Mutex(false)
  private let listener: Int32
  private let wake: (read: Int32, write: Int32)

  /// Starts listening on `bind` (port 0 picks a free port) and answers
  /// every request with `handler`, on a thread of its own.
  public init(
    bind: NodeAddress, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
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
    let thread = Thread {
      Self.serve(listener: listener, wake: wakeRead, handler: handler)
    }
    thread.name = "rumor-http-\(bound.port)"
    thread.start()
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
    listener: Int32, wake: Int32, handler: @Sendable (HTTPRequest) -> HTTPResponse
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
            if let request = parse(client.request) {
              client.response = render(
                request.map(handler) ?? HTTPResponse(status: 400, body: "bad request\n"),
                head: request?.method == "HEAD")
            } else if client.request.count > 65_536 {
              client.response = render(
                HTTPResponse(status: 431, body: "headers too large\n"), head: false)
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

  /// The request once its headers are complete: nil while incomplete,
  /// `.some(nil)` when they are not HTTP.
  private static func parse(_ bytes: [UInt8]) -> HTTPRequest?? {
    let terminator: [UInt8] = [13, 10, 13, 10]
    guard bytes.count >= 4,
      let end = (0...(bytes.count - 4)).first(where: {
        bytes[$0..<($0 + 4)].elementsEqual(terminator)
      })
    else { return nil }
    let text = String(decoding: bytes[0..<end], as: UTF8.self)
    var lines = text.components(separatedBy: "\r\n")
    let requestLine = lines.removeFirst().split(separator: " ")
    guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .some(nil) }
    var headers: [String: String] = [:]
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...])
        .trimmingWhitespace()
    }
    return HTTPRequest(
      method: String(requestLine[0]), target: String(requestLine[1]), headers: headers)
  }

  private static func render(_ response: HTTPResponse, head: Bool) -> [UInt8] {
    let reason: String
    switch response.status {
    case 200: reason = "OK"
    case 204: reason = "No Content"
    case 400: reason = "Bad Request"
    case 404: reason = "Not Found"
    case 431: reason = "Request Header Fields Too Large"
    case 500: reason = "Internal Server Error"
    case 503: reason = "Service Unavailable"
    default: reason = "Status"
    }
    let header =
      "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n\r\n"
    return Array(header.utf8) + (head ? [] : response.body)
  }
}
