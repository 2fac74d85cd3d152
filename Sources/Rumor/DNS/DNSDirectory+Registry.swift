import RumorCore
import RumorDiscovery
import RumorWire

extension DNSDirectory {
  /// The directory of a running node, through its service registry (public
  /// API only: `catalog`, `resolve`, `breaker(for:)`):
  ///
  /// - a service's targets are its eligible gossip instances (alive
  ///   members, `passing` ones, else `warning` ones; open circuits left
  ///   out), starting with the one `resolve` picks now and going on in the
  ///   catalog's order from there, which is the order round robin takes
  ///   them. When `resolve` answers from the environment (`<NAME>_HOST`)
  ///   or the configuration file, that URL is the one target. A service
  ///   neither gossiped nor configured is unknown; the deployment mode's
  ///   naming convention is not used (a client can resolve those names
  ///   itself).
  /// - a node's addresses are its member's gossip address, for members
  ///   alive or suspect; names are compared without regard to case.
  public static func live(registry: ServiceRegistry, node: RumorNode) -> DNSDirectory {
    DNSDirectory(
      service: { name in targets(of: name, registry: registry) },
      node: { name in
        let members = node.members.filter {
          ($0.state == .alive || $0.state == .suspect) && $0.name.lowercased() == name
        }
        return members.isEmpty ? nil : members.map(\.address)
      })
  }

  private static func targets(of asked: String, registry: ServiceRegistry) -> [Target]? {
    let catalog = registry.catalog
    let name =
      catalog.instances[asked] != nil
      ? asked : catalog.instances.keys.first { $0.lowercased() == asked } ?? asked
    let resolution = try? registry.resolve(name)
    switch resolution?.source {
    case .environment?, .configuration?:
      guard let url = resolution?.url else { return nil }
      return [Target(node: "", host: url.host, port: url.port, isNodeAddress: false)]
    default:
      break
    }
    guard catalog.instances[name] != nil else { return nil }
    let choices = catalog.choices[name]
    let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
    let usable = { (instances: [ServiceInstance]) in
      instances.filter {
        registry.breaker(for: $0.url.description)?.wouldAllowRequest(at: now) ?? true
      }
    }
    let passing = usable(choices?.passing ?? [])
    var eligible = passing.isEmpty ? usable(choices?.warning ?? []) : passing
    if let chosen = resolution?.instance, let first = eligible.firstIndex(of: chosen) {
      eligible = Array(eligible[first...] + eligible[..<first])
    }
    let members = Dictionary(
      (registry.node?.members ?? []).map { ($0.name, $0.address.host) },
      uniquingKeysWith: { first, _ in first })
    return eligible.map { instance in
      Target(
        node: instance.node, host: instance.url.host, port: instance.url.port,
        isNodeAddress: members[instance.node] == instance.url.host)
    }
  }
}
