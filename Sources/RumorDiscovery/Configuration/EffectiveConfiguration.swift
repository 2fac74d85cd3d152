import RumorCore

/// The configuration a process actually runs with: the file, overridden by
/// the environment, with the mode detected and every gap filled by the
/// mode's conventions and Rumor's defaults, each value with its origin.
public struct EffectiveConfiguration: Hashable, Sendable {
  /// A service's static fallback: what resolution gives for it when the
  /// gossip view has no healthy instance (steps 3 and 4 of the order).
  public struct Service: Hashable, Sendable {
    /// The service's name.
    public var name: String
    /// The URL scheme, if known.
    public var scheme: String?
    /// The host, if the file, environment or convention gives one.
    public var host: String?
    /// The port, if the file, environment or known defaults give one.
    public var port: UInt16?
    /// How long one call may take.
    public var timeout: Duration
    /// How many times a failed call is retried.
    public var retries: Int
    /// The health path of a known HTTP service.
    public var healthPath: String?
    /// Where the host came from.
    public var hostOrigin: ValueOrigin?
    /// Where the port came from.
    public var portOrigin: ValueOrigin?

    /// `scheme://host:port`, or nil when a part is unknown (the service is
    /// then found through gossip only).
    public var url: String? {
      guard let scheme, let host, let port else { return nil }
      return ServiceURL(scheme: scheme, host: host, port: port).description
    }

    /// What is missing for a static URL, in words; nil when there is one.
    public var missing: String? {
      var parts: [String] = []
      if scheme == nil { parts.append("scheme") }
      if host == nil { parts.append("host") }
      if port == nil { parts.append("port") }
      return parts.isEmpty ? nil : "no " + parts.joined(separator: ", no ")
    }
  }

  /// The gossip node's settings.
  public struct Gossip: Hashable, Sendable {
    /// The node's name.
    public var nodeName: String
    /// Where it listens.
    public var bind: HostAndPort
    /// The address it gives others, when set.
    public var advertise: HostAndPort?
    /// The members to join through, in order.
    public var seeds: [HostAndPort]
    /// Encryption keys, primary first; empty for plaintext.
    public var encryptionKeys: [[UInt8]]
    /// The cluster label ("" for none).
    public var label: String
    /// The timing profile.
    public var profile: Profile
    /// The preset the policies started from.
    public var preset: Preset = .standard
    /// Rumor's failure-detection policies: the preset's, with any set one
    /// by one applied over them.
    public var policies = Policies(preset: .standard)
    /// Where the agent's HTTP API listens, or off.
    public var http: APIAddress
    /// The services this node gossips, checks filled in.
    public var advertised: [AdvertisedService]
    /// Where the keyring is kept across restarts, if anywhere.
    public var keyringFile: String? = nil

    /// The tags that advertise the services (`svc.<name>` = URL), for the
    /// node's metadata.
    public var tags: [String: String] {
      Dictionary(
        advertised.map { ($0.tagKey, $0.url.description) }, uniquingKeysWith: { first, _ in first })
    }
  }

  /// The agent's DNS interface.
  public struct DNS: Hashable, Sendable {
    /// Where to answer; nil for off (the default).
    public var address: HostAndPort?
    /// The domain answered for, with its final dot (`rumor.`).
    public var domain: String
    /// The TTL of every answer, in seconds.
    public var ttl: UInt32
  }

  /// The configuration file, if one was read.
  public var file: String?
  /// The mode and why.
  public var detection: ModeDetection
  /// The DNS domain, if any.
  public var domain: String?
  /// The Kubernetes namespace (used in kubernetes mode).
  public var namespace: String
  /// The known services and every configured one, in that order.
  public var services: [Service]
  /// The static pools.
  public var loadBalancers: [LoadBalancer]
  /// The node's settings.
  public var gossip: Gossip
  /// The DNS interface's settings.
  public var dns: DNS
  /// Where each value came from, by key path; includes every default and
  /// convention applied.
  public var origins: [String: ValueOrigin]
  /// The environment variables that overrode something.
  public var environment: [String]
  /// Remarks worth reading that are not errors.
  public var notes: [String]

  /// The mode.
  public var mode: DeploymentMode { detection.mode }

  /// The static fallback of `name`, if it is known or configured.
  public func service(named name: String) -> Service? {
    services.first { $0.name == name }
  }

  /// Resolves `configuration` (environment overrides already applied) on
  /// `host`.
  public init(
    resolving configuration: DiscoveryConfiguration, detection: ModeDetection,
    host: HostEnvironment, environment: [String] = [], notes: [String] = []
  ) {
    var origins = configuration.origins
    var notes = notes
    let mode = detection.mode
    origins["deployment.mode"] = Self.origin(of: detection)
    file = configuration.file
    self.detection = detection
    domain = configuration.domain
    let namespace: String
    if let configured = configuration.namespace {
      namespace = configured
    } else if let podNamespace = host.readFile(GossipDefaults.serviceAccountNamespaceFile)?
      .trimmingWhitespace,
      (try? HostName.validateNamespace(podNamespace)) != nil
    {
      namespace = podNamespace
      origins["deployment.namespace"] = .detected(GossipDefaults.serviceAccountNamespaceFile)
    } else {
      namespace = GossipDefaults.namespace
      origins["deployment.namespace"] = .builtIn
    }
    self.namespace = namespace
    if mode == .distributed && domain == nil {
      notes.append(
        "distributed mode without a domain: services with no host in the file or environment are found through gossip only (set deployment.domain or \(EnvironmentVariable.domain))"
      )
    }
    let names =
      KnownService.all.map(\.name)
      + configuration.services.map(\.name).filter { KnownService.named($0) == nil }
    services = names.map { name in
      Self.service(
        name, configuration: configuration, mode: mode, domain: configuration.domain,
        namespace: namespace, origins: &origins)
    }
    loadBalancers = configuration.loadBalancers
    gossip = Self.gossip(
      configuration, mode: mode, namespace: namespace, host: host, services: names,
      origins: &origins)
    if configuration.dns.address == nil { origins["dns.address"] = .builtIn }
    if configuration.dns.domain == nil { origins["dns.domain"] = .builtIn }
    if configuration.dns.ttl == nil { origins["dns.ttl"] = .builtIn }
    var address: HostAndPort?
    if case .on(let on)? = configuration.dns.address { address = on }
    dns = DNS(
      address: address, domain: configuration.dns.domain ?? DNSConfiguration.defaultDomain,
      ttl: configuration.dns.ttl ?? 0)
    self.origins = origins
    self.environment = environment
    self.notes = notes
  }

  private static func origin(of detection: ModeDetection) -> ValueOrigin {
    switch detection.reason {
    case .variable: .environment(EnvironmentVariable.deploymentMode)
    case .configured(let origin?): origin
    default: .detected(detection.explanation)
    }
  }

  private static func service(
    _ name: String, configuration: DiscoveryConfiguration, mode: DeploymentMode, domain: String?,
    namespace: String, origins: inout [String: ValueOrigin]
  ) -> Service {
    let known = KnownService.named(name)
    let endpoint = configuration.service(named: name) ?? ServiceEndpoint(name: name)
    let path = "services.\(name)"
    var service = Service(
      name: name, scheme: endpoint.scheme ?? known?.scheme, host: endpoint.host,
      port: endpoint.port ?? known?.port,
      timeout: endpoint.timeout ?? ServiceEndpoint.defaultTimeout,
      retries: endpoint.retries ?? ServiceEndpoint.defaultRetries, healthPath: known?.healthPath,
      hostOrigin: origins["\(path).host"], portOrigin: origins["\(path).port"])
    if service.host == nil,
      let host = ServiceHostConvention.host(
        forService: name, mode: mode, domain: domain, namespace: namespace)
    {
      service.host = host
      service.hostOrigin = .convention(ServiceHostConvention.pattern(for: mode))
    }
    if endpoint.port == nil, known != nil {
      service.portOrigin = .convention("known default port")
    }
    origins["\(path).host"] = service.hostOrigin
    origins["\(path).port"] = service.portOrigin
    if endpoint.timeout == nil { origins["\(path).timeout"] = .builtIn }
    if endpoint.retries == nil { origins["\(path).retries"] = .builtIn }
    return service
  }

  private static func gossip(
    _ configuration: DiscoveryConfiguration, mode: DeploymentMode, namespace: String,
    host: HostEnvironment, services: [String], origins: inout [String: ValueOrigin]
  ) -> Gossip {
    let settings = configuration.gossip
    func fallback<Value>(
      _ value: Value?, _ path: String, _ origin: ValueOrigin, _ make: () -> Value
    )
      -> Value
    {
      if let value { return value }
      origins[path] = origin
      return make()
    }
    let nodeName = fallback(
      settings.nodeName, "gossip.node_name",
      .detected(mode == .local ? "host name and process id" : "host name")
    ) { GossipDefaults.nodeName(for: mode, in: host) }
    let bind = fallback(settings.bind, "gossip.bind", .convention("\(mode) default")) {
      GossipDefaults.bind(for: mode)
    }
    let profile = fallback(settings.profile, "gossip.profile", .convention("\(mode) default")) {
      GossipDefaults.profile(for: mode)
    }
    let preset = fallback(settings.preset, "gossip.preset", .builtIn) { Preset.standard }
    var policies = Policies(preset: preset)
    for setting in PolicySetting.allCases {
      guard let value = settings.policies[setting] else {
        origins["gossip.\(setting.key)"] = origins["gossip.preset"] ?? .builtIn
        continue
      }
      setting.apply(value, to: &policies)
    }
    let http = fallback(settings.http, "gossip.http", .builtIn) { APIAddress.standard }
    let seeds = GossipSeeds.seeds(
      join: settings.join, mode: mode, domain: configuration.domain, namespace: namespace,
      services: services)
    return Gossip(
      nodeName: nodeName, bind: bind, advertise: settings.advertise, seeds: seeds,
      encryptionKeys: settings.encryptionKeys, label: settings.label ?? "", profile: profile,
      preset: preset, policies: policies, http: http, advertised: configuration.advertise,
      keyringFile: settings.keyringFile)
  }
}
