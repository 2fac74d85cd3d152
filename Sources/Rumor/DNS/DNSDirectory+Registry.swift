import RumorCore
import RumorDiscovery
import RumorWire
import Synchronization

extension DNSDirectory {
  /// The directory of a running node, through its service registry
  /// (`catalog`, `endpoint(for:)`, `breaker(for:)`):
  ///
  /// - a service's targets are its eligible gossip instances (alive
  ///   members, `passing` ones, else `warning` ones; open circuits left
  ///   out), starting with the one `resolve` picks now (`endpoint`: the
  ///   same pick, without the explanation a query never shows) and going
  ///   on in the catalog's order from there, which is the order round
  ///   robin takes them. When `resolve` answers from the environment (`<NAME>_HOST`)
  ///   or the configuration file, that URL is the one target. A service
  ///   neither gossiped nor configured is unknown; the deployment mode's
  ///   naming convention is not used (a client can resolve those names
  ///   itself).
  /// - a node's addresses are its member's gossip address, for members
  ///   alive or suspect; names are compared without regard to case.
  public static func live(registry: ServiceRegistry, node: RumorNode) -> DNSDirectory {
    let index = MemberIndex(node: node)
    return DNSDirectory(
      service: { name in targets(of: name, registry: registry, members: index.current) },
      node: { name in index.current.addresses[name] })
  }

  /// The members by name, rebuilt only when the node publishes a new
  /// snapshot: a query then costs a lookup, not a pass over every member.
  private final class MemberIndex: Sendable {
    struct Snapshot: Sendable {
      var version: UInt64?
      /// Gossip host by exact member name.
      var hosts: [String: String] = [:]
      /// Addresses of alive and suspect members by lower-cased name.
      var addresses: [String: [NodeAddress]] = [:]
    }

    let node: RumorNode
    let state = Mutex(Snapshot())

    init(node: RumorNode) { self.node = node }

    var current: Snapshot {
      let version = node.snapshotVersion
      if let cached = state.withLock({ $0.version == version ? $0 : nil }) { return cached }
      var snapshot = Snapshot(version: version)
      for member in node.members {
        snapshot.hosts[member.name] = member.address.host
        if member.state == .alive || member.state == .suspect {
          snapshot.addresses[member.name.lowercased(), default: []].append(member.address)
        }
      }
      state.withLock { $0 = snapshot }
      return snapshot
    }
  }

  private static func targets(
    of asked: String, registry: ServiceRegistry, members: MemberIndex.Snapshot
  ) -> [Target]? {
    let catalog = registry.catalog
    let name =
      catalog.instances[asked] != nil
      ? asked : catalog.instances.keys.first { $0.lowercased() == asked } ?? asked
    let picked = try? registry.endpoint(for: name, path: "", excluding: [])
    switch picked?.source {
    case .environment?, .configuration?:
      guard let url = picked?.url else { return nil }
      return [Target(node: "", host: url.host, port: url.port, isNodeAddress: false)]
    default:
      break
    }
    guard catalog.instances[name] != nil else { return nil }
    let choices = catalog.choices[name]
    let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
    let usable = { (instances: [ServiceInstance]) in
      instances.filter {
        registry.breaker(for: $0.url).wouldAllowRequest(at: now)
      }
    }
    let passing = usable(choices?.passing ?? [])
    var eligible = passing.isEmpty ? usable(choices?.warning ?? []) : passing
    // A gossip pick's URL is its instance's.
    if picked?.source == .gossip, let url = picked?.url,
      let first = eligible.firstIndex(where: { $0.url == url })
    {
      eligible = Array(eligible[first...] + eligible[..<first])
    }
    return eligible.map { instance in
      Target(
        node: instance.node, host: instance.url.host, port: instance.url.port,
        isNodeAddress: members.hosts[instance.node] == instance.url.host)
    }
  }
}
