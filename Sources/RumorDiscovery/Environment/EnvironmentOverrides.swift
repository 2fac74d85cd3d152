import RumorCore

/// The settings the environment overrides, read and checked in one go.
///
/// Precedence is simple: a variable, when set and not empty, replaces the
/// file's value for its setting; the file replaces the built-in defaults
/// and conventions. A bad value is an error naming the variable, never
/// silently ignored.
public struct EnvironmentOverrides: Hashable, Sendable {
  /// `AUTOBOT_DOMAIN`.
  public var domain: String?
  /// `AUTOBOT_NAMESPACE`.
  public var namespace: String?
  /// `<NAME>_HOST`, by service name.
  public var hosts: [String: String] = [:]
  /// `<NAME>_PORT`, by service name.
  public var ports: [String: UInt16] = [:]
  /// `RUMOR_NODE_NAME`.
  public var nodeName: String?
  /// `RUMOR_BIND`.
  public var bind: HostAndPort?
  /// `RUMOR_ADVERTISE`.
  public var advertise: HostAndPort?
  /// `RUMOR_JOIN`.
  public var join: [HostAndPort]?
  /// `RUMOR_ENCRYPT`.
  public var encryptionKeys: [[UInt8]]?
  /// `RUMOR_LABEL`.
  public var label: String?
  /// `RUMOR_KEYRING_FILE`.
  public var keyringFile: String?
  /// `RUMOR_PROFILE`.
  public var profile: Profile?
  /// `RUMOR_PRESET`.
  public var preset: Preset?
  /// `RUMOR_FAST_CRASH_DETECTION` and the other policies' variables.
  public var policies: [PolicySetting: PolicyValue] = [:]
  /// `RUMOR_HTTP`.
  public var http: APIAddress?
  /// `RUMOR_SERVICES`.
  public var services: [AdvertisedService]?
  /// `RUMOR_DNS`.
  public var dns: DNSConfiguration.Setting?
  /// `RUMOR_DNS_DOMAIN`.
  public var dnsDomain: String?
  /// `RUMOR_CONFIG`.
  public var configFile: String?
  /// Every variable that was set, in the order read.
  public var applied: [String] = []
  /// Remarks that are not errors: a `RUMOR_` variable nobody reads that
  /// looks like a typo of one that is.
  public var notes: [String] = []

  /// Reads the overrides from `variables`. `serviceNames` are the names
  /// whose `<NAME>_HOST` / `<NAME>_PORT` to read (the known services and
  /// those the file mentions).
  public init(variables: [String: String], serviceNames: [String]) throws(ConfigurationErrors) {
    let host = HostEnvironment(variables: variables)
    var errors: [ConfigurationError] = []
    func read<Value>(_ name: String, _ parse: (String) throws(InvalidValue) -> Value) -> Value? {
      guard let text = host.variable(name) else { return nil }
      do {
        let value = try parse(text)
        applied.append(name)
        return value
      } catch {
        errors.append(ConfigurationError(.environment(name), error.reason))
        return nil
      }
    }
    domain = read(EnvironmentVariable.domain) { text throws(InvalidValue) in
      try HostName.validateDomain(text)
      return text
    }
    namespace = read(EnvironmentVariable.namespace) { text throws(InvalidValue) in
      try HostName.validateNamespace(text)
      return text
    }
    for name in serviceNames {
      let hostVariable = EnvironmentVariable.host(forService: name)
      let portVariable = EnvironmentVariable.port(forService: name)
      hosts[name] = read(hostVariable) { text throws(InvalidValue) in
        try ConfigurationDecoder.serviceHost(text, portKey: portVariable)
      }
      ports[name] = read(portVariable, Self.servicePort)
    }
    nodeName = read(EnvironmentVariable.nodeName, ConfigurationDecoder.nodeName)
    bind = read(EnvironmentVariable.bind) { text throws(InvalidValue) in
      try ConfigurationDecoder.numericAddress(text, allowsPortZero: true)
    }
    advertise = read(EnvironmentVariable.advertise, ConfigurationDecoder.advertiseAddress)
    join = read(EnvironmentVariable.join) { text throws(InvalidValue) in
      try Self.list(text, ConfigurationDecoder.seed)
    }
    encryptionKeys = read(EnvironmentVariable.encrypt) { text throws(InvalidValue) in
      try Self.list(text, EncryptionKey.decode)
    }
    label = read(EnvironmentVariable.label, ConfigurationDecoder.label)
    keyringFile = read(EnvironmentVariable.keyringFile, ConfigurationDecoder.filePath)
    profile = read(EnvironmentVariable.profile) { text throws(InvalidValue) in
      try Choice.parse(text, as: Profile.self, what: "gossip profile")
    }
    preset = read(EnvironmentVariable.preset) { text throws(InvalidValue) in
      try Choice.parse(text, as: Preset.self, what: "preset")
    }
    for setting in PolicySetting.allCases {
      policies[setting] = read(setting.variable, setting.parse)
    }
    http = read(EnvironmentVariable.http, APIAddress.parse)
    services = read(EnvironmentVariable.services, Self.advertisedServices)
    dns = read(EnvironmentVariable.dns, DNSConfiguration.parseAddress)
    dnsDomain = read(EnvironmentVariable.dnsDomain, DNSConfiguration.parseDomain)
    configFile = read(EnvironmentVariable.configFile) { $0 }
    for name in variables.keys.sorted()
    where name.hasPrefix("RUMOR_") && !EnvironmentVariable.rumorVariables.contains(name) {
      if let close = Suggestion.closest(to: name, among: EnvironmentVariable.rumorVariables) {
        notes.append("\(name) is not a Rumor setting; did you mean \(close)?")
      }
    }
    guard errors.isEmpty else { throw ConfigurationErrors(errors) }
  }

  /// Applies the overrides to `configuration`, recording each origin.
  public func apply(to configuration: inout DiscoveryConfiguration) {
    func set<Value>(
      _ value: Value?, _ variable: String, _ path: String,
      _ assign: (inout DiscoveryConfiguration, Value) -> Void
    ) {
      guard let value else { return }
      assign(&configuration, value)
      configuration.origins[path] = .environment(variable)
    }
    set(domain, EnvironmentVariable.domain, "deployment.domain") { $0.domain = $1 }
    set(namespace, EnvironmentVariable.namespace, "deployment.namespace") { $0.namespace = $1 }
    for (name, host) in hosts.sorted(by: { $0.key < $1.key }) {
      configuration.updateService(named: name) { $0.host = host }
      configuration.origins["services.\(name).host"] = .environment(
        EnvironmentVariable.host(forService: name))
    }
    for (name, port) in ports.sorted(by: { $0.key < $1.key }) {
      configuration.updateService(named: name) { $0.port = port }
      configuration.origins["services.\(name).port"] = .environment(
        EnvironmentVariable.port(forService: name))
    }
    set(nodeName, EnvironmentVariable.nodeName, "gossip.node_name") { $0.gossip.nodeName = $1 }
    set(bind, EnvironmentVariable.bind, "gossip.bind") { $0.gossip.bind = $1 }
    set(advertise, EnvironmentVariable.advertise, "gossip.advertise") { $0.gossip.advertise = $1 }
    set(join, EnvironmentVariable.join, "gossip.join") { $0.gossip.join = $1 }
    set(encryptionKeys, EnvironmentVariable.encrypt, "gossip.encrypt") {
      $0.gossip.encryptionKeys = $1
    }
    set(label, EnvironmentVariable.label, "gossip.label") { $0.gossip.label = $1 }
    set(keyringFile, EnvironmentVariable.keyringFile, "gossip.keyring_file") {
      $0.gossip.keyringFile = $1
    }
    set(profile, EnvironmentVariable.profile, "gossip.profile") { $0.gossip.profile = $1 }
    set(preset, EnvironmentVariable.preset, "gossip.preset") { $0.gossip.preset = $1 }
    for (setting, value) in policies.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      set(value, setting.variable, "gossip.\(setting.key)") { $0.gossip.policies[setting] = $1 }
    }
    set(http, EnvironmentVariable.http, "gossip.http") { $0.gossip.http = $1 }
    set(dns, EnvironmentVariable.dns, "dns.address") { $0.dns.address = $1 }
    set(dnsDomain, EnvironmentVariable.dnsDomain, "dns.domain") { $0.dns.domain = $1 }
    if let services {
      let configured = configuration.advertise
      configuration.advertise = services.map { service in
        var service = service
        // The variable says where a service is; how to check it stays in
        // the file, which has room to say so, else the standard check.
        service.check =
          configured.first { $0.name == service.name }.map(\.check)
          ?? HealthCheck.standard(forService: service.name, url: service.url)
        configuration.origins["advertise.\(service.name)"] = .environment(
          EnvironmentVariable.services)
        return service
      }
    }
  }

  /// `<NAME>_PORT`: a port, or the `tcp://HOST:PORT` that Docker links and
  /// Kubernetes service links put in variables of this very name (a
  /// Service called `redis` sets `REDIS_PORT=tcp://10.0.0.11:6379`).
  static func servicePort(_ text: String) throws(InvalidValue) -> UInt16 {
    for scheme in ["tcp://", "udp://"] where text.hasPrefix(scheme) {
      do {
        return try HostAndPort(parsing: String(text.dropFirst(scheme.count))).port
      } catch {
        throw InvalidValue("'\(text)' is not a port nor \(scheme)HOST:PORT: \(error.reason)")
      }
    }
    return try ConfigurationDecoder.port(text)
  }

  /// Comma-separated items, each parsed; empty items are skipped, but a
  /// value of commas alone is an error: it would replace the file's list
  /// with nothing (`RUMOR_ENCRYPT="$OLD,$NEW"` with both unset would turn
  /// encryption off).
  static func list<Value>(_ text: String, _ parse: (String) throws(InvalidValue) -> Value)
    throws(InvalidValue) -> [Value]
  {
    guard text.contains(where: { $0 != "," && !$0.isWhitespace }) else {
      throw InvalidValue(
        "'\(text)' lists nothing between its commas; give at least one item (an empty variable counts as unset, keeping the file's)"
      )
    }
    var values: [Value] = []
    // Items are numbered as written, empty ones included, so that "item 3"
    // is the third thing between commas.
    let items = text.split(separator: ",", omittingEmptySubsequences: false)
    for (index, item) in items.map(\.trimmingSpaces).enumerated() where !item.isEmpty {
      do {
        values.append(try parse(item))
      } catch {
        throw InvalidValue("item \(index + 1): \(error.reason)")
      }
    }
    return values
  }

  /// `RUMOR_SERVICES` (and `rumor agent --service`): `name=url,name=url`,
  /// without checks (the caller gives each its standard one).
  public static func advertisedServices(_ text: String) throws(InvalidValue) -> [AdvertisedService]
  {
    let services = try list(text) { item throws(InvalidValue) -> AdvertisedService in
      guard let equals = item.firstIndex(of: "=") else {
        throw InvalidValue("'\(item)' is not NAME=URL (e.g. redis=redis://:6379)")
      }
      let name = item[..<equals].trimmingSpaces
      try ServiceName.validate(name)
      let url = try ServiceURL(parsing: item[item.index(after: equals)...].trimmingSpaces)
      return AdvertisedService(name: name, url: url)
    }
    var seen: Set<String> = []
    for service in services where !seen.insert(service.name).inserted {
      throw InvalidValue("'\(service.name)' is listed twice")
    }
    // As the file's `advertise:` is checked, or the node would refuse
    // them at start.
    try AdvertisedService.checkTagsFit(services)
    return services
  }
}
