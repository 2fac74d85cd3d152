import FoundationEssentials
import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A deliberately small HTTP/1.1 server: one request per connection
/// (`Connection: close`), GET and HEAD bodies ignored, 64 KiB of headers
/// at most, sent within 5 s, 10 s per connection, and the slow-client
/// bounds of `TCPResponder` (the oldest unfinished request makes room for
/// a new connection; slots kept for the host's own health checks). Enough
/// for health endpoints, the demo's stand-in services and an agent's
/// status page; not a web server.
public final class HTTPResponder: Sendable {
  private let server: TCPResponder

  /// Where it listens.
  public var address: NodeAddress { server.address }

  /// The most header bytes a request may have.
  static let maximumHead = 65_536

  /// What it refused or cut short so far.
  public var counters: TCPResponderCounters { server.counters }

  /// Starts listening on `bind` (port 0 picks a free port) and answers
  /// every request with `handler`, on a thread of its own.
  public init(
    bind: NodeAddress, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
  ) throws {
    server = try TCPResponder(
      bind: bind, name: "http", terminator: [13, 10, 13, 10], maximumHead: Self.maximumHead
    ) { bytes in
      if let request = Self.parse(bytes) {
        return Self.render(
          request.map(handler) ?? HTTPResponse(status: 400, body: "bad request\n"),
          head: request?.method == "HEAD")
      }
      guard bytes.count <= Self.maximumHead else {
        return Self.render(HTTPResponse(status: 431, body: "headers too large\n"), head: false)
      }
      return nil
    }
  }

  /// Stops listening and closes the socket (connections in progress end).
  public func stop() { server.stop() }

  /// The request once its head (and body) are complete: nil while
  /// incomplete, `.some(nil)` when they are not a request
  /// `HTTPRequestParser` takes.
  static func parse(_ bytes: [UInt8]) -> HTTPRequest?? {
    var parser = HTTPRequestParser(maximumHead: maximumHead)
    parser.append(bytes)
    switch parser.next() {
    case .incomplete: return nil
    case .invalid: return .some(nil)
    case .request(let request): return .some(request)
    }
  }

  private static func render(_ response: HTTPResponse, head: Bool) -> [UInt8] {
    response.rendered(head: head, keepAlive: false)
  }
}
