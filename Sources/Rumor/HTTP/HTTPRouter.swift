/// A route table: method and path pattern to handler. A pattern's
/// segments are literal or `{name}`, which matches one non-empty segment
/// and hands it, percent-decoded, to the handler in
/// `HTTPRequest.parameters`. A path no route matches gets 404; a path
/// matched under other methods gets 405 with `Allow`. HEAD is served by
/// the GET route, without the body.
public struct HTTPRouter: Sendable {
  /// Answers one request.
  public typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

  private struct Route: Sendable {
    let method: String
    /// Each segment: a literal, or the name of a `{name}` parameter.
    let segments: [Segment]
    let handler: Handler
  }

  private enum Segment: Sendable {
    case literal(String)
    case parameter(String)
  }

  private var routes: [Route] = []

  /// An empty table.
  public init() {}

  /// Adds a route: `add("GET", "/v1/services/{name}") { request in … }`.
  public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
    let segments = pattern.split(separator: "/").map { part -> Segment in
      part.first == "{" && part.last == "}"
        ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
    }
    routes.append(Route(method: method, segments: segments, handler: handler))
  }

  /// The reply of the matching route.
  public func reply(to request: HTTPRequest) -> HTTPReply {
    let method = request.method == "HEAD" ? "GET" : request.method
    var segments: [String] = []
    // Split on the byte: the path is visible ASCII (the parser checked).
    let path = request.path
    for raw in path.utf8.split(separator: 47, omittingEmptySubsequences: false).dropFirst() {
      guard let segment = HTTPRequestParser.percentDecoded(Substring(raw), plusIsSpace: false)
      else {
        return .response(.error(400, "the path has a broken %-escape"))
      }
      segments.append(segment)
    }
    // "/" splits into one empty segment; "/v1/members/" ends in one.
    if segments.last == "" { segments.removeLast() }
    var allowed: [String] = []
    for route in routes {
      guard let parameters = Self.match(route.segments, segments) else { continue }
      guard route.method == method else {
        allowed.append(route.method)
        continue
      }
      var matched = request
      matched.parameters = parameters
      return route.handler(matched)
    }
    if !allowed.isEmpty {
      var response = HTTPResponse.error(
        405,
        "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))"
      )
      response.headers["Allow"] = allowed.joined(separator: ", ")
      return .response(response)
    }
    return .response(.error(404, "no such endpoint: \(request.path)"))
  }

  private static func match(_ pattern: [Segment], _ segments: [String]) -> [String: String]? {
    guard pattern.count == segments.count else { return nil }
    // Literals first: most routes fail there, before any parameter is
    // kept.
    for (part, segment) in zip(pattern, segments) {
      switch part {
      case .literal(let literal): guard literal == segment else { return nil }
      case .parameter: guard !segment.isEmpty else { return nil }
      }
    }
    var parameters: [String: String] = [:]
    for (part, segment) in zip(pattern, segments) {
      if case .parameter(let name) = part { parameters[name] = segment }
    }
    return parameters
  }
}
