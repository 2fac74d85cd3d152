import RumorWire

/// A service this node runs and gossips to the cluster as the tag
/// `svc.<name>` = URL, with the check whose result it gossips as
/// `health.<name>`.
public struct AdvertisedService: Hashable, Sendable {
  /// The service's name (a lowercase DNS label).
  public var name: String
  /// Where it listens; an empty host means this node's address.
  public var url: ServiceURL
  /// How to check it; nil for no check (`check: none`: then it is
  /// `passing` while the node is alive). Without a `check:` a service
  /// gets `HealthCheck.standard`, so nothing is advertised unchecked by
  /// accident.
  public var check: HealthCheck?

  /// Creates an advertised service.
  public init(name: String, url: ServiceURL, check: HealthCheck? = nil) {
    self.name = name
    self.url = url
    self.check = check
  }

  /// The tag key: `svc.<name>`.
  public var tagKey: String { "svc.\(name)" }
  /// The health tag key: `health.<name>`.
  public var healthTagKey: String { "health.\(name)" }
}

extension AdvertisedService {
  /// memberlist carries tags in 512 bytes of node metadata: refuses a list
  /// of services that could not be gossiped once every one of them is
  /// critical (the longest health value), whether it came from the file's
  /// `advertise:` or from `RUMOR_SERVICES`.
  static func checkTagsFit(_ services: [AdvertisedService]) throws(InvalidValue) {
    var tags: [String: String] = [:]
    for service in services {
      tags[service.tagKey] = service.url.description
      tags[service.healthTagKey] = "critical"
    }
    do {
      _ = try SerfTags.encode(tags)
    } catch {
      throw InvalidValue(
        "the services' tags do not fit in a node's metadata: \(error.reason) (advertise fewer services, or shorten names and paths)"
      )
    }
  }
}
