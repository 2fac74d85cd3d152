import RumorWire

/// JSON building blocks shared by the configuration's JSON forms.
enum ConfigurationJSON {
  static func optional(_ text: String?) -> JSONValue {
    text.map(JSONValue.string) ?? .null
  }

  static func seconds(_ duration: Duration) -> JSONValue {
    .number(DurationText.seconds(duration))
  }

  static func check(_ check: HealthCheck?) -> JSONValue {
    guard let check else { return .null }
    if check.kind == .ttl {
      return .object([("type", .string(check.kind.rawValue)), ("ttl", seconds(check.ttl))])
    }
    return .object([
      ("type", .string(check.kind.rawValue)),
      ("path", check.kind == .http ? .string(check.path) : .null),
      ("interval", seconds(check.interval)), ("timeout", seconds(check.timeout)),
      ("failures_before_critical", .count(check.failuresBeforeCritical)),
      ("successes_before_passing", .count(check.successesBeforePassing)),
    ])
  }

  static func advertised(_ services: [AdvertisedService]) -> JSONValue {
    .object(
      services.map { service in
        (
          service.name,
          .object([("url", .string(service.url.description)), ("check", check(service.check))])
        )
      })
  }

  static func loadBalancers(_ balancers: [LoadBalancer]) -> JSONValue {
    .object(
      balancers.map { balancer in
        (
          balancer.name,
          .object([
            ("hosts", .array(balancer.hosts.map { .string($0.description) })),
            ("strategy", .string(balancer.strategy.rawValue)),
          ])
        )
      })
  }

  /// A configuration error: where and what.
  static func error(_ error: ConfigurationError) -> JSONValue {
    switch error.location {
    case .file(let file, let position):
      .object([
        ("file", .string(file)), ("line", position.map { .count($0.line) } ?? .null),
        ("column", position.map { .count($0.column) } ?? .null),
        ("message", .string(error.message)),
      ])
    case .environment(let variable):
      .object([("variable", .string(variable)), ("message", .string(error.message))])
    }
  }
}

extension ConfigurationErrors {
  /// `[{file, line, column, message} | {variable, message}]`.
  public var json: JSONValue { .array(errors.map(ConfigurationJSON.error)) }
}

extension DiscoveryConfiguration {
  /// The configuration as written, in the file's shape; keys are counted,
  /// never printed.
  public var json: JSONValue {
    .object([
      ("file", ConfigurationJSON.optional(file)),
      (
        "deployment",
        .object([
          ("mode", ConfigurationJSON.optional(mode?.rawValue)),
          ("domain", ConfigurationJSON.optional(domain)),
          ("namespace", ConfigurationJSON.optional(namespace)),
        ])
      ),
      (
        "services",
        .object(
          services.map { service in
            var fields: [(key: String, value: JSONValue)] = []
            if let scheme = service.scheme { fields.append(("scheme", .string(scheme))) }
            if let host = service.host { fields.append(("host", .string(host))) }
            if let port = service.port { fields.append(("port", .count(port))) }
            if let timeout = service.timeout {
              fields.append(("timeout", ConfigurationJSON.seconds(timeout)))
            }
            if let retries = service.retries { fields.append(("retries", .count(retries))) }
            return (service.name, .object(fields))
          })
      ),
      ("load_balancers", ConfigurationJSON.loadBalancers(loadBalancers)),
      (
        "gossip",
        .object([
          ("node_name", ConfigurationJSON.optional(gossip.nodeName)),
          ("bind", ConfigurationJSON.optional(gossip.bind?.description)),
          ("advertise", ConfigurationJSON.optional(gossip.advertise?.description)),
          ("join", .array(gossip.join.map { .string($0.description) })),
          ("encryption_keys", .count(gossip.encryptionKeys.count)),
          ("label", ConfigurationJSON.optional(gossip.label)),
          ("profile", ConfigurationJSON.optional(gossip.profile?.rawValue)),
          ("preset", ConfigurationJSON.optional(gossip.preset?.rawValue)),
          (
            "policies",
            .object(
              PolicySetting.allCases.compactMap { setting in
                gossip.policies[setting].map { (setting.key, .string($0.description)) }
              })
          ),
          ("http", ConfigurationJSON.optional(gossip.http?.description)),
          ("keyring_file", ConfigurationJSON.optional(gossip.keyringFile)),
        ])
      ),
      ("advertise", ConfigurationJSON.advertised(advertise)),
      (
        "dns",
        .object([
          ("address", ConfigurationJSON.optional(dns.address?.description)),
          ("domain", ConfigurationJSON.optional(dns.domain)),
          ("ttl", dns.ttl.map { .count($0) } ?? .null),
        ])
      ),
    ])
  }
}

extension EffectiveConfiguration {
  /// Everything in effect, with each value's origin; keys are counted,
  /// never printed.
  public var json: JSONValue {
    .object([
      ("file", ConfigurationJSON.optional(file)),
      ("mode", .string(mode.rawValue)),
      ("mode_reason", .string(detection.explanation)),
      ("domain", ConfigurationJSON.optional(domain)),
      ("namespace", .string(namespace)),
      (
        "services",
        .array(
          services.map { service in
            .object([
              ("name", .string(service.name)), ("url", ConfigurationJSON.optional(service.url)),
              ("scheme", ConfigurationJSON.optional(service.scheme)),
              ("host", ConfigurationJSON.optional(service.host)),
              ("port", service.port.map { .count($0) } ?? .null),
              ("timeout", ConfigurationJSON.seconds(service.timeout)),
              ("retries", .count(service.retries)),
              ("health_path", ConfigurationJSON.optional(service.healthPath)),
              ("host_from", ConfigurationJSON.optional(service.hostOrigin?.description)),
              ("port_from", ConfigurationJSON.optional(service.portOrigin?.description)),
            ])
          })
      ),
      ("load_balancers", ConfigurationJSON.loadBalancers(loadBalancers)),
      (
        "gossip",
        .object([
          ("node_name", .string(gossip.nodeName)),
          ("bind", .string(gossip.bind.description)),
          ("advertise", ConfigurationJSON.optional(gossip.advertise?.description)),
          ("seeds", .array(gossip.seeds.map { .string($0.description) })),
          ("encryption_keys", .count(gossip.encryptionKeys.count)),
          ("label", .string(gossip.label)),
          ("profile", .string(gossip.profile.rawValue)),
          ("preset", .string(gossip.preset.rawValue)),
          (
            "policies",
            .object(
              PolicySetting.allCases.map { setting in
                (setting.key, .string(setting.value(in: gossip.policies).description))
              })
          ),
          ("http", .string(gossip.http.description)),
          ("keyring_file", ConfigurationJSON.optional(gossip.keyringFile)),
          (
            "tags",
            .object(gossip.tags.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
          ),
          ("advertise_services", ConfigurationJSON.advertised(gossip.advertised)),
        ])
      ),
      (
        "dns",
        .object([
          ("address", ConfigurationJSON.optional(dns.address?.description)),
          ("domain", .string(dns.domain)),
          ("ttl", .count(dns.ttl)),
        ])
      ),
      (
        "origins",
        .object(origins.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.description)) })
      ),
      ("environment", .array(environment.map(JSONValue.string))),
      ("notes", .array(notes.map(JSONValue.string))),
    ])
  }
}
