import CommandLineSupport
import Dispatch
import Rumor
import Synchronization

/// Runs `rumor agent --event-handler` scripts as a Serf agent runs its
/// handlers, so that an existing Serf handler script works unchanged: the
/// same `SERF_*` environment, the same standard input, a query handler's
/// standard output as the response. Each handler runs one event at a time
/// on its own serial queue, never on the protocol thread; a handler that
/// falls more than `maximumBacklog` events behind drops new ones (counted
/// and logged), and one that runs past its timeout is killed.
final class EventHandlers: Sendable {
  /// Events waiting per handler before new ones are dropped.
  static let maximumBacklog = 1024
  /// How long a member or user event's handler may run.
  static let timeout: Double = 30

  private final class Handler: Sendable {
    let spec: EventHandlerSpec
    let queue: DispatchQueue
    let backlog = Atomic<Int>(0)
    init(spec: EventHandlerSpec, queue: DispatchQueue) {
      self.spec = spec
      self.queue = queue
    }
  }

  private let handlers: [Handler]
  private let node: RumorNode
  private let console: Console
  private let dropped = Atomic<Int>(0)

  init(_ specs: [EventHandlerSpec], node: RumorNode, console: Console) {
    handlers = specs.enumerated().map { index, spec in
      Handler(spec: spec, queue: DispatchQueue(label: "rumor-handler-\(index)"))
    }
    self.node = node
    self.console = console
  }

  /// Membership changes, as Serf names them; nil for what Serf does not
  /// report (suspicions, recoveries, stand-downs).
  static func serfType(of event: MembershipEvent) -> String? {
    switch event {
    case .joined: "member-join"
    case .left: "member-leave"
    case .failed: "member-failed"
    case .updated: "member-update"
    case .reaped: "member-reap"
    case .suspected, .recovered, .stoodDown, .resumed: nil
    }
  }

  /// Serf's line for a member on a handler's standard input:
  /// name, address, role tag and all tags, tab-separated.
  static func memberLine(_ member: Member) -> String {
    let tags: [String: String] = (try? SerfTags.decode(member.meta)) ?? [:]
    var pairs: [String] = []
    for key in tags.keys.sorted() {
      let value: String = tags[key] ?? ""
      pairs.append(key + "=" + value)
    }
    let role: String = tags["role"] ?? ""
    let fields: [String] = [
      clean(member.name), member.address.host, clean(role), clean(pairs.joined(separator: ",")),
    ]
    return fields.joined(separator: "\t") + "\n"
  }

  /// Serf's `eventClean`: tabs and newlines written as `\t` and `\n`.
  static func clean(_ text: String) -> String {
    var output = ""
    for character in text {
      switch character {
      case "\t": output += "\\t"
      case "\n": output += "\\n"
      default: output.append(character)
      }
    }
    return output
  }

  /// `SERF_TAG_NAME` for a tag: upper case, anything but A-Z, 0-9 and _
  /// as _ (Serf's rule).
  static func tagVariable(_ name: String) -> String {
    var output = "SERF_TAG_"
    for scalar in name.uppercased().unicodeScalars {
      let allowed = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
      output.unicodeScalars.append(allowed ? scalar : "_")
    }
    return output
  }

  /// The variables every handler gets: the event type and this node.
  private func baseVariables(type: String) -> [String: String] {
    let selfMember = node.members.first { $0.name == node.name }
    let tags = selfMember.flatMap { try? SerfTags.decode($0.meta) } ?? [:]
    var variables = ["SERF_EVENT": type, "SERF_SELF_NAME": node.name]
    variables["SERF_SELF_ROLE"] = tags["role"] ?? ""
    for (name, value) in tags { variables[Self.tagVariable(name)] = value }
    return variables
  }

  /// Hands a membership event to the handlers that take it.
  func handle(_ event: MembershipEvent) {
    guard let type = Self.serfType(of: event) else { return }
    dispatch(
      type: type, name: nil, variables: baseVariables(type: type),
      input: Array(Self.memberLine(event.member).utf8), timeout: Self.timeout, query: nil)
  }

  /// Hands a user event to the handlers that take it: the payload and a
  /// newline on standard input, as Serf writes it.
  func handle(_ event: UserEvent) {
    var variables = baseVariables(type: "user")
    variables["SERF_USER_EVENT"] = event.name
    variables["SERF_USER_LTIME"] = String(event.lamportTime)
    dispatch(
      type: "user", name: event.name, variables: variables, input: event.payload + [10],
      timeout: Self.timeout, query: nil)
  }

  /// Hands a query to the handlers that take it; what a handler prints is
  /// the response (the first handler's, as only one response per member
  /// counts).
  func handle(_ query: IncomingQuery, now: Double, deadline: Double) {
    var variables = baseVariables(type: "query")
    variables["SERF_QUERY_NAME"] = query.name
    variables["SERF_QUERY_LTIME"] = String(query.lamportTime)
    dispatch(
      type: "query", name: query.name, variables: variables, input: query.payload + [10],
      timeout: max(0.1, deadline - now), query: query)
  }

  private func dispatch(
    type: String, name: String?, variables: [String: String], input: [UInt8], timeout: Double,
    query: IncomingQuery?
  ) {
    for handler in handlers where handler.spec.accepts(type: type, name: name) {
      guard handler.backlog.add(1, ordering: .relaxed).newValue <= Self.maximumBacklog else {
        handler.backlog.subtract(1, ordering: .relaxed)
        let total = dropped.add(1, ordering: .relaxed).newValue
        console.err(
          "\(logTimestamp()) handler '\(handler.spec.script.logField)' is \(Self.maximumBacklog) events behind; dropped a \(type) event (\(total) dropped so far)"
        )
        continue
      }
      let script = handler.spec.script
      let node = node
      let console = console
      handler.queue.async {
        defer { handler.backlog.subtract(1, ordering: .relaxed) }
        switch ScriptRunner.run(script, variables: variables, input: input, timeout: timeout) {
        case .failure(let error):
          console.err("\(logTimestamp()) handler '\(script.logField)': \(error)")
        case .success(let outcome):
          if outcome.status == nil {
            console.err(
              "\(logTimestamp()) handler '\(script.logField)' ran past \(timeout) s and was killed")
          } else if let status = outcome.status, status != 0 {
            console.err(
              "\(logTimestamp()) handler '\(script.logField)' exited with status \(status)")
          }
          if let query, outcome.status == 0 {
            let payload = Array(outcome.output.prefix(1024))
            Task { try? await node.respond(to: query, payload: payload) }
          }
        }
      }
    }
  }
}
