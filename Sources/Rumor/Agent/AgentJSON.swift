import RumorCore
import RumorDiscovery
import RumorWire

/// The JSON forms of the agent API's answers (docs/agent-api.md shows them).
public enum AgentJSON {
  /// `{name, address, port, status, incarnation, tags}`; status in
  /// Serf's words (alive, suspect, failed, left).
  public static func member(_ member: Member) -> JSONValue {
    let tags = (try? SerfTags.decode(member.meta)) ?? [:]
    return .object([
      ("name", .string(member.name)), ("address", .string(member.address.host)),
      ("port", .count(member.address.port)), ("status", .string(member.state.description)),
      ("incarnation", .count(member.incarnation)), ("tags", strings(tags)),
    ])
  }

  /// `{vec, error, adjustment, height}`: Serf's network coordinate, as
  /// `serf rtt` and the agent's `/v1/coordinate` give it.
  public static func coordinate(_ coordinate: SerfCoordinate) -> JSONValue {
    .object([
      ("vec", .array(coordinate.vector.map(JSONValue.number))),
      ("error", .number(coordinate.error)), ("adjustment", .number(coordinate.adjustment)),
      ("height", .number(coordinate.height)),
    ])
  }

  /// A coordinate in the form `coordinate(_:)` writes; nil when a field
  /// is missing or not a number.
  public static func coordinate(from value: JSONValue) -> SerfCoordinate? {
    func number(_ value: JSONValue?) -> Double? {
      switch value {
      case .number(let number)?: number
      case .integer(let number)?: Double(number)
      case .unsigned(let number)?: Double(number)
      default: nil
      }
    }
    guard case .array(let elements)? = value["vec"], let error = number(value["error"]),
      let adjustment = number(value["adjustment"]), let height = number(value["height"])
    else { return nil }
    let vector = elements.compactMap { number($0) }
    guard vector.count == elements.count else { return nil }
    return SerfCoordinate(vector: vector, error: error, adjustment: adjustment, height: height)
  }

  /// `{service, url, node, health, member_status}`.
  public static func instance(_ instance: ServiceInstance) -> JSONValue {
    .object([
      ("service", .string(instance.service)), ("url", .string(instance.url.description)),
      ("node", .string(instance.node)), ("health", .string(instance.health.rawValue)),
      ("member_status", .string(instance.memberState.description)),
    ])
  }

  /// `{service, url, source, node, instance, explanation, age_seconds}`;
  /// the age is how old the information used is (null when unknown).
  public static func resolution(_ resolution: Resolution) -> JSONValue {
    .object([
      ("service", .string(resolution.service)), ("url", .string(resolution.url.description)),
      ("source", .string(resolution.source.rawValue)),
      ("node", resolution.instance.map { .string($0.node) } ?? .null),
      ("instance", resolution.instance.map(instance) ?? .null),
      ("explanation", .array(resolution.explanation.map(JSONValue.string))),
      ("age_seconds", resolution.age.map { .number(seconds($0)) } ?? .null),
    ])
  }

  /// A duration in seconds.
  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  /// `{service, status, response_time_ms, error, url, node, source}`;
  /// status in the brief's words (healthy, unhealthy, circuit_open,
  /// unknown).
  public static func health(_ report: ServiceHealthReport) -> JSONValue {
    .object([
      ("service", .string(report.service)), ("status", .string(report.status.rawValue)),
      (
        "response_time_ms",
        report.responseTime.map {
          .number(
            Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15)
        } ?? .null
      ),
      ("error", report.error.map(JSONValue.string) ?? .null),
      ("url", report.url.map { .string($0.description) } ?? .null),
      ("node", report.node.map(JSONValue.string) ?? .null),
      ("source", report.source.map { .string($0.rawValue) } ?? .null),
    ])
  }

  /// A membership event for the event stream: `{event, member}`.
  public static func event(_ event: MembershipEvent) -> JSONValue {
    .object([("event", .string(event.verb)), ("member", member(event.member))])
  }

  /// Every counter of `counters` by name (Swift's property names, in
  /// snake case).
  public static func counters<Counters>(_ counters: Counters) -> JSONValue {
    .object(
      Mirror(reflecting: counters).children.compactMap { child in
        guard let label = child.label, let value = child.value as? Int else { return nil }
        return (snakeCase(label), .count(value))
      })
  }

  static func strings(_ values: [String: String]) -> JSONValue {
    .object(values.keys.sorted().map { ($0, .string(values[$0] ?? "")) })
  }

  private static func snakeCase(_ name: String) -> String {
    var text = ""
    for character in name {
      if character.isUppercase {
        text += "_" + character.lowercased()
      } else {
        text.append(character)
      }
    }
    return text
  }
}
