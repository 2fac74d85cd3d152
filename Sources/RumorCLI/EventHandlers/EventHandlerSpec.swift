import CommandLineSupport

/// One `--event-handler [FILTER[,FILTER…]=]SCRIPT`: which events run which
/// shell command, with Serf's filters so that a Serf agent's handler
/// configuration works unchanged.
struct EventHandlerSpec: Hashable, Sendable {
  /// One filter: an event type, and for `user` and `query` an optional
  /// name.
  struct Filter: Hashable, Sendable {
    /// `member-join`, `member-leave`, `member-failed`, `member-update`,
    /// `member-reap`, `user`, `query`, or `*` for every event.
    var type: String
    /// For `user:NAME` and `query:NAME`: only that name.
    var name: String?

    static let types: Set<String> = [
      "member-join", "member-leave", "member-failed", "member-update", "member-reap", "user",
      "query", "*",
    ]

    /// Whether an event of `type` (and `name`, for user events and
    /// queries) passes.
    func accepts(type eventType: String, name eventName: String?) -> Bool {
      guard type == "*" || type == eventType else { return false }
      guard let name else { return true }
      return name == eventName
    }
  }

  /// The filters; an event runs the script when one accepts it.
  var filters: [Filter]
  /// The shell command, run with `/bin/sh -c`.
  var script: String

  /// Parses one flag value, as Serf does: no `=`, or nothing before it,
  /// means every event.
  init(_ text: String, command: String) throws(CommandError) {
    guard let equals = text.firstIndex(of: "="),
      !text[..<equals].contains(" "), !text[..<equals].contains("/")
    else {
      filters = [Filter(type: "*", name: nil)]
      script = text
      try Self.checkScript(script, command: command)
      return
    }
    script = String(text[text.index(after: equals)...])
    try Self.checkScript(script, command: command)
    let list = text[..<equals]
    guard !list.isEmpty else {
      filters = [Filter(type: "*", name: nil)]
      return
    }
    var parsed: [Filter] = []
    for part in list.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = part.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      let type = String(pieces[0])
      guard Filter.types.contains(type) else {
        throw .usage(
          "--event-handler: unknown event type '\(type)'; use member-join, member-leave, member-failed, member-update, member-reap, user, user:NAME, query, query:NAME or *",
          command: command)
      }
      let name = pieces.count > 1 ? String(pieces[1]) : nil
      if name != nil && type != "user" && type != "query" {
        throw .usage(
          "--event-handler: only user and query events take a name ('\(part)')", command: command)
      }
      parsed.append(Filter(type: type, name: name?.isEmpty == true ? nil : name))
    }
    filters = parsed
  }

  private static func checkScript(_ script: String, command: String) throws(CommandError) {
    guard script.contains(where: { $0 != " " && $0 != "\t" }) else {
      throw .usage("--event-handler needs a script after the filters", command: command)
    }
  }

  /// Whether this handler runs for an event of `type` (and `name`).
  func accepts(type: String, name: String?) -> Bool {
    filters.contains { $0.accepts(type: type, name: name) }
  }
}
