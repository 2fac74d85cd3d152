import FoundationEssentials
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

  /// The request once its headers are complete: nil while incomplete,
  /// `.some(nil)` when they are not HTTP. Internal, not private, so that
  /// the `http` fuzz target (Tests/Fuzz) reaches it.
  static func parse(_ bytes: [UInt8]) -> HTTPRequest?? {
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
