/// One Server-Sent Event (the `text/event-stream` format of the HTML
/// standard), encoded for the wire. Each line of `data` becomes a
/// `data:` line, so no value can end the event early or forge another
/// one; CR and LF in `event` and `id` (one line each) are replaced by
/// spaces for the same reason.
public struct ServerSentEvent: Sendable, Hashable {
  /// The event's type (`event:`), if any.
  public var event: String?
  /// Its id (`id:`), which a client sends back as `Last-Event-ID`.
  public var id: String?
  /// Its data; lines are split on CR LF, CR or LF.
  public var data: String

  /// Creates an event.
  public init(event: String? = nil, id: String? = nil, data: String) {
    self.event = event
    self.id = id
    self.data = data
  }

  /// The event's bytes, ending with the blank line that dispatches it.
  public var encoded: [UInt8] {
    var text = ""
    if let event { text += "event: \(Self.oneLine(event))\n" }
    if let id { text += "id: \(Self.oneLine(id))\n" }
    for line in Self.lines(data) { text += "data: \(line)\n" }
    text += "\n"
    return Array(text.utf8)
  }

  /// A comment line (ignored by clients; keeps proxies from closing an
  /// idle stream).
  public static func comment(_ text: String) -> [UInt8] {
    Array(": \(oneLine(text))\n\n".utf8)
  }

  private static func oneLine(_ text: String) -> String {
    String(text.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : Character($0) })
  }

  private static func lines(_ text: String) -> [Substring] {
    // "\r\n" is one Character in Swift, so this splits on CR LF, CR and LF.
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
  }
}
