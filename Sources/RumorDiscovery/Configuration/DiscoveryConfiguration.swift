/// A configuration as written: one file's values, possibly overridden by
/// the environment, before mode detection and conventions fill the gaps
/// (that is `EffectiveConfiguration`).
///
/// ```yaml
/// deployment: {mode, domain, namespace}
/// services: {<name>: {host, port, scheme, timeout, retries}}
/// load_balancers: {<name>: {hosts: [host:port], strategy}}
/// gossip: {node_name, bind, advertise, join, encrypt, label, profile}
/// advertise: {<name>: url | {url, check: {type, path, interval, ...}}}
/// dns: {address, domain, ttl}
/// ```
public struct DiscoveryConfiguration: Hashable, Sendable {
  /// The file the values came from, if any.
  public var file: String?
  /// The deployment mode, if set (else it is detected).
  public var mode: DeploymentMode?
  /// The DNS domain of a distributed deployment (`autobot.prod`).
  public var domain: String?
  /// The Kubernetes namespace.
  public var namespace: String?
  /// Static settings per service, in file order.
  public var services: [ServiceEndpoint]
  /// Static pools, in file order.
  public var loadBalancers: [LoadBalancer]
  /// How this node joins the cluster.
  public var gossip: GossipConfiguration
  /// The services this node runs and gossips, in file order.
  public var advertise: [AdvertisedService]
  /// The agent's DNS interface.
  public var dns = DNSConfiguration()
  /// Where each set value came from, by key path (`deployment.mode`,
  /// `services.redis.port`, `gossip.join`, ...).
  public var origins: [String: ValueOrigin]

  /// Creates a configuration; empty by default.
  public init(
    file: String? = nil, mode: DeploymentMode? = nil, domain: String? = nil,
    namespace: String? = nil, services: [ServiceEndpoint] = [],
    loadBalancers: [LoadBalancer] = [], gossip: GossipConfiguration = GossipConfiguration(),
    advertise: [AdvertisedService] = [], origins: [String: ValueOrigin] = [:]
  ) {
    self.file = file
    self.mode = mode
    self.domain = domain
    self.namespace = namespace
    self.services = services
    self.loadBalancers = loadBalancers
    self.gossip = gossip
    self.advertise = advertise
    self.origins = origins
  }

  /// The static settings of `name`, if it has any.
  public func service(named name: String) -> ServiceEndpoint? {
    services.first { $0.name == name }
  }

  /// Sets the static settings of a service, adding it if new.
  public mutating func updateService(
    named name: String, _ change: (inout ServiceEndpoint) -> Void
  ) {
    if let index = services.firstIndex(where: { $0.name == name }) {
      change(&services[index])
    } else {
      var endpoint = ServiceEndpoint(name: name)
      change(&endpoint)
      services.append(endpoint)
    }
  }

  /// The names any `<NAME>_HOST` / `<NAME>_PORT` could refer to: the known
  /// services, then those of `services:`, `load_balancers:` and
  /// `advertise:`.
  public var serviceNames: [String] {
    var names: [String] = []
    for name in KnownService.all.map(\.name) + services.map(\.name) + loadBalancers.map(\.name)
      + advertise.map(\.name) where !names.contains(name)
    {
      names.append(name)
    }
    return names
  }
}
