import RumorWire

/// A request as the HTTP servers hand it over.
public struct HTTPRequest: Sendable, Hashable {
  /// "GET", "POST", …
  public var method: String
  /// The path and query as sent, e.g. "/health?verbose=1".
  public var target: String
  /// Header names lower-cased; a repeated header's values joined by ", ".
  public var headers: [String: String]
  /// The body (`Content-Length` bytes; empty without one).
  public var body: [UInt8]
  /// Whether the client keeps the connection open for another request
  /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
  /// `Connection: keep-alive`).
  public var keepAlive: Bool
  /// Where the request came from, when known.
  public var client: NodeAddress?
  /// The values captured by the route's `{name}` segments, decoded.
  public var parameters: [String: String] = [:]

  /// Creates a request.
  public init(
    method: String, target: String, headers: [String: String] = [:], body: [UInt8] = [],
    keepAlive: Bool = true, client: NodeAddress? = nil
  ) {
    self.method = method
    self.target = target
    self.headers = headers
    self.body = body
    self.keepAlive = keepAlive
    self.client = client
  }

  /// The path without the query, as sent (not decoded).
  public var path: String {
    guard let mark = target.utf8.firstIndex(of: 63) else { return target }
    return String(target[..<mark])
  }

  /// The query's parameters, decoded (`+` is a space); a parameter given
  /// twice keeps its last value. Nil when the query is not validly
  /// encoded.
  public var query: [String: String]? {
    guard let mark = target.utf8.firstIndex(of: 63) else { return [:] }
    var values: [String: String] = [:]
    for pair in target[target.utf8.index(after: mark)...].split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard let key = HTTPRequestParser.percentDecoded(parts[0], plusIsSpace: true),
        let value = HTTPRequestParser.percentDecoded(
          parts.count > 1 ? parts[1] : "", plusIsSpace: true)
      else { return nil }
      values[key] = value
    }
    return values
  }
}
