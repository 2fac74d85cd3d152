import RumorCore
import RumorWire

/// Every service instance in one membership snapshot, indexed by service
/// name: built once per snapshot, so that a lookup is a dictionary read.
///
/// Tags: `svc.<name>` = URL advertises a service; `health.<name>` =
/// passing | warning | critical reports its health (absent: passing).
/// Tags that do not parse are skipped and listed in `problems`.
public struct ServiceCatalog: Hashable, Sendable {
  /// The instances of each service, in member-name order.
  public private(set) var instances: [String: [ServiceInstance]] = [:]
  /// Tags that could not be understood, as "member: what is wrong".
  public internal(set) var problems: [String] = []
  /// The instances a lookup may choose from, by service: computed with
  /// the catalog so that the lookup itself filters nothing and formats no
  /// URL.
  public private(set) var choices: [String: Choices] = [:]

  /// The instances of one service on alive members that are not critical,
  /// split by health, in member-name order, with their URLs formatted.
  public struct Choices: Hashable, Sendable {
    /// Instances reporting `passing`.
    public var passing: [ServiceInstance] = []
    /// `passing`'s URLs as text, index for index.
    public var passingURLs: [String] = []
    /// Instances reporting `warning`.
    public var warning: [ServiceInstance] = []
    /// `warning`'s URLs as text, index for index.
    public var warningURLs: [String] = []

    /// These choices in storage of their own, down to each URL's text,
    /// for one lane of a registry: lookups on different threads then
    /// never touch the same reference counts (a shared count bounces
    /// between the cores' caches on every lookup).
    public func privateCopy() -> Choices {
      var own = Choices()
      own.passing = passing.map { $0.privateCopy() }
      own.passingURLs = passingURLs.map(ServiceCatalog.privateCopy)
      own.warning = warning.map { $0.privateCopy() }
      own.warningURLs = warningURLs.map(ServiceCatalog.privateCopy)
      return own
    }
  }

  /// The prefix of service tags.
  public static let servicePrefix = "svc."
  /// The prefix of health tags.
  public static let healthPrefix = "health."

  /// An empty catalog.
  public init() {}

  /// The catalog of `members` (a node's snapshot).
  public init(members: [Member]) {
    var builder = CatalogBuilder()
    builder.apply(changed: members)
    self = builder.catalog
  }

  /// Replaces `service`'s instances (in node order, `texts` their URLs
  /// index for index) and the choices derived from them.
  mutating func set(_ service: String, instances list: [ServiceInstance], texts: [String]) {
    guard !list.isEmpty else {
      instances[service] = nil
      choices[service] = nil
      return
    }
    instances[service] = list
    var choice = Choices()
    for (instance, text) in zip(list, texts) where instance.memberState == .alive {
      switch instance.health {
      case .passing:
        choice.passing.append(instance)
        choice.passingURLs.append(text)
      case .warning:
        choice.warning.append(instance)
        choice.warningURLs.append(text)
      case .critical:
        continue
      }
    }
    choices[service] = choice
  }

  /// `text` in storage of its own.
  public static func privateCopy(_ text: String) -> String {
    String(decoding: Array(text.utf8), as: UTF8.self)
  }

  /// The names of every advertised service, sorted.
  public var services: [String] { instances.keys.sorted() }
}
