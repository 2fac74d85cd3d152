import RumorCore
import RumorWire

/// Every service instance in one membership snapshot, indexed by service
/// name: built once per snapshot, so that a lookup is a dictionary read.
///
/// Tags: `svc.<name>` = URL advertises a service; `health.<name>` =
/// passing | warning | critical reports its health (absent: passing).
/// Tags that do not parse are skipped and listed in `problems`.
public struct ServiceCatalog: Sendable {
  /// The instances of each service, in member-name order.
  public private(set) var instances: [String: [ServiceInstance]] = [:]
  /// Tags that could not be understood, as "member: what is wrong".
  public private(set) var problems: [String] = []
  /// The instances a lookup may choose from, by service: computed with
  /// the catalog so that the lookup itself filters nothing and formats no
  /// URL.
  public private(set) var choices: [String: Choices] = [:]

  /// The instances of one service on alive members that are not critical,
  /// split by health, in member-name order, with their URLs formatted.
  public struct Choices: Sendable {
    /// Instances reporting `passing`.
    public var passing: [ServiceInstance] = []
    /// `passing`'s URLs as text, index for index.
    public var passingURLs: [String] = []
    /// Instances reporting `warning`.
    public var warning: [ServiceInstance] = []
    /// `warning`'s URLs as text, index for index.
    public var warningURLs: [String] = []
  }

  /// The prefix of service tags.
  public static let servicePrefix = "svc."
  /// The prefix of health tags.
  public static let healthPrefix = "health."

  /// An empty catalog.
  public init() {}

  /// The catalog of `members` (a node's snapshot, sorted by name).
  public init(members: [Member]) {
    for member in members {
      guard let tags = try? SerfTags.decode(member.meta), !tags.isEmpty else { continue }
      for (key, value) in tags where key.hasPrefix(Self.servicePrefix) {
        let service = String(key.dropFirst(Self.servicePrefix.count))
        guard !service.isEmpty else { continue }
        let url: ServiceURL
        do {
          url = try ServiceURL(parsing: value)
        } catch {
          problems.append("\(member.name): tag \(key): \(error)")
          continue
        }
        let healthText = tags[Self.healthPrefix + service]
        let health = healthText.flatMap(ServiceHealth.init(rawValue:)) ?? .passing
        if let healthText, ServiceHealth(rawValue: healthText) == nil {
          problems.append(
            "\(member.name): tag health.\(service) = '\(healthText)' is not passing, warning or critical"
          )
        }
        instances[service, default: []].append(
          ServiceInstance(
            service: service, node: member.name,
            url: url.host.isEmpty
              ? ServiceURL(
                scheme: url.scheme, host: member.address.host, port: url.port, path: url.path)
              : url,
            health: health, memberState: member.state))
      }
    }
    for service in instances.keys {
      instances[service]?.sort { $0.node < $1.node }
    }
    for (service, list) in instances {
      var choice = Choices()
      for instance in list where instance.memberState == .alive {
        switch instance.health {
        case .passing:
          choice.passing.append(instance)
          choice.passingURLs.append(instance.url.description)
        case .warning:
          choice.warning.append(instance)
          choice.warningURLs.append(instance.url.description)
        case .critical:
          continue
        }
      }
      choices[service] = choice
    }
    problems.sort()
  }

  /// The names of every advertised service, sorted.
  public var services: [String] { instances.keys.sorted() }
}
