import RumorWire

/// What to answer.
public struct HTTPResponse: Sendable, Hashable {
  /// The status code.
  public var status: Int
  /// The body.
  public var body: [UInt8]
  /// The content type.
  public var contentType: String
  /// More header fields (`X-Rumor-Index`, `Allow`, …), written in name
  /// order.
  public var headers: [String: String] = [:]

  /// Creates a response.
  public init(
    status: Int = 200, body: String = "", contentType: String = "text/plain; charset=utf-8"
  ) {
    self.status = status
    self.body = Array(body.utf8)
    self.contentType = contentType
  }

  /// A JSON response: `value` as compact UTF-8 JSON and a newline.
  public static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
    HTTPResponse(
      status: status, body: value.text + "\n", contentType: "application/json; charset=utf-8")
  }

  /// A JSON error: `{"error": "message"}`.
  public static func error(_ status: Int, _ message: String) -> HTTPResponse {
    json(.object([("error", .string(message))]), status: status)
  }

  /// The reason phrase of `status`.
  static func reason(_ status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 200: "OK"
    case 201: "Created"
    case 204: "No Content"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 501: "Not Implemented"
    case 503: "Service Unavailable"
    case 504: "Gateway Timeout"
    case 505: "HTTP Version Not Supported"
    default: "Status"
    }
  }

  /// The response's bytes: status line, headers, body (none for HEAD).
  /// `keepAlive` says whether the connection stays open after it.
  func rendered(head: Bool, keepAlive: Bool) -> [UInt8] {
    // Written byte by byte into one buffer sized up front: a reply is on
    // every request's path.
    var bytes: [UInt8] = []
    bytes.reserveCapacity(160 + contentType.utf8.count + (head ? 0 : body.count))
    bytes += "HTTP/1.1 ".utf8
    bytes += String(status).utf8
    bytes.append(32)
    bytes += Self.reason(status).utf8
    bytes += "\r\nContent-Type: ".utf8
    bytes += contentType.utf8
    bytes += "\r\nContent-Length: ".utf8
    bytes += String(body.count).utf8
    bytes += "\r\n".utf8
    if !headers.isEmpty {
      for name in headers.keys.sorted() {
        bytes += name.utf8
        bytes += ": ".utf8
        bytes += (headers[name] ?? "").utf8
        bytes += "\r\n".utf8
      }
    }
    bytes += keepAlive ? "\r\n".utf8 : "Connection: close\r\n\r\n".utf8
    if !head { bytes += body }
    return bytes
  }

  /// The head of a stream's response (no length: the body runs until the
  /// connection ends).
  func streamHead() -> [UInt8] {
    var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: \(contentType)\r\n"
    for name in headers.keys.sorted() { text += "\(name): \(headers[name] ?? "")\r\n" }
    text += "Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
    return Array(text.utf8) + body
  }
}
