import RumorCore
import RumorWire

/// Keeps a `ServiceCatalog` in step with a changing membership, member by
/// member: a change decodes the changed member's tags and rebuilds only
/// the services it advertised before or advertises now. The node's owner
/// thread runs one, so that a lookup never rebuilds anything.
///
/// `ServiceCatalog(members:)` is this builder fed every member once: the
/// two cannot disagree.
public struct CatalogBuilder: Sendable {
  /// What one member contributes.
  private struct Entry: Sendable {
    var address: NodeAddress
    var meta: [UInt8]
    var state: MemberState
    var stateChanged: Timestamp
    var instances: [ServiceInstance] = []
    var problems: [String] = []
  }

  /// One service's instances with their URLs as text, in node order.
  private struct Listing: Sendable {
    var instances: [ServiceInstance] = []
    var texts: [String] = []

    /// The position of `node`'s instance, or where it would go.
    func position(of node: String) -> (index: Int, found: Bool) {
      let index = instances.lowerBound(of: node, by: \.node)
      return (index, index < instances.count && instances[index].node == node)
    }
  }

  private var entries: [String: Entry] = [:]
  private var listings: [String: Listing] = [:]
  private var membersWithProblems: Set<String> = []
  /// The catalog as of the last change.
  public private(set) var catalog = ServiceCatalog()

  /// An empty builder.
  public init() {}

  /// How many members the builder holds.
  public var memberCount: Int { entries.count }

  /// Takes in a batch of changes: each of `changed` is a member's current
  /// value (new or changed), each of `removed` the name of a member that is
  /// gone. Returns the services whose instances changed.
  @discardableResult
  public mutating func apply(changed: [Member], removed: [String] = []) -> Set<String> {
    var touched: Set<String> = []
    var problemsChanged = false
    for name in removed {
      guard let old = entries.removeValue(forKey: name) else { continue }
      for instance in old.instances {
        touched.insert(instance.service)
        removeInstance(of: name, from: instance.service)
      }
      if membersWithProblems.remove(name) != nil { problemsChanged = true }
    }
    for member in changed {
      if let old = entries[member.name], old.meta == member.meta,
        old.address == member.address, old.state == member.state,
        old.stateChanged == member.stateChanged
      {
        continue
      }
      let old = entries[member.name]
      let entry = Self.entry(of: member)
      for instance in old?.instances ?? []
      where !entry.instances.contains(where: {
        $0.service == instance.service
      }) {
        touched.insert(instance.service)
        removeInstance(of: member.name, from: instance.service)
      }
      for instance in entry.instances {
        touched.insert(instance.service)
        insert(instance)
      }
      if !(old?.problems ?? []).isEmpty || !entry.problems.isEmpty {
        problemsChanged = true
        if entry.problems.isEmpty {
          membersWithProblems.remove(member.name)
        } else {
          membersWithProblems.insert(member.name)
        }
      }
      entries[member.name] = entry
    }
    for service in touched {
      let listing = listings[service]
      catalog.set(service, instances: listing?.instances ?? [], texts: listing?.texts ?? [])
    }
    if problemsChanged {
      catalog.problems = membersWithProblems.flatMap { entries[$0]?.problems ?? [] }.sorted()
    }
    return touched
  }

  private mutating func insert(_ instance: ServiceInstance) {
    var listing = listings.removeValue(forKey: instance.service) ?? Listing()
    let (index, found) = listing.position(of: instance.node)
    let text = instance.url.description
    if found {
      listing.instances[index] = instance
      listing.texts[index] = text
    } else {
      listing.instances.insert(instance, at: index)
      listing.texts.insert(text, at: index)
    }
    listings[instance.service] = listing
  }

  private mutating func removeInstance(of node: String, from service: String) {
    guard var listing = listings.removeValue(forKey: service) else { return }
    let (index, found) = listing.position(of: node)
    if found {
      listing.instances.remove(at: index)
      listing.texts.remove(at: index)
    }
    if !listing.instances.isEmpty { listings[service] = listing }
  }

  /// A member's instances and the problems of its tags.
  private static func entry(of member: Member) -> Entry {
    var entry = Entry(
      address: member.address, meta: member.meta, state: member.state,
      stateChanged: member.stateChanged)
    guard let tags = try? SerfTags.decode(member.meta), !tags.isEmpty else { return entry }
    for (key, value) in tags where key.hasPrefix(ServiceCatalog.servicePrefix) {
      let service = String(key.dropFirst(ServiceCatalog.servicePrefix.count))
      guard !service.isEmpty else { continue }
      let url: ServiceURL
      do {
        url = try ServiceURL(parsing: value)
      } catch {
        entry.problems.append("\(member.name): tag \(key): \(error)")
        continue
      }
      let healthText = tags[ServiceCatalog.healthPrefix + service]
      let health = healthText.flatMap(ServiceHealth.init(rawValue:)) ?? .passing
      if let healthText, ServiceHealth(rawValue: healthText) == nil {
        entry.problems.append(
          "\(member.name): tag health.\(service) = '\(healthText)' is not passing, warning or critical"
        )
      }
      entry.instances.append(
        ServiceInstance(
          service: service, node: member.name,
          url: url.host.isEmpty
            ? ServiceURL(
              scheme: url.scheme, host: member.address.host, port: url.port, path: url.path)
            : url,
          health: health, memberState: member.state, stateChanged: member.stateChanged))
    }
    return entry
  }
}
