import RumorCore
import RumorWire

/// Turns a parsed YAML document into a `DiscoveryConfiguration`.
///
/// Decoding does not stop at the first problem: every error is collected,
/// named by file, position and key path, so one `rumor config check` shows
/// all there is to fix. Unknown keys are errors (a typo must not silently
/// leave a setting at its default), with a "did you mean" when one is near.
struct ConfigurationDecoder {
  static let topLevelKeys = [
    "deployment", "services", "load_balancers", "gossip", "advertise", "dns",
  ]
  static let deploymentKeys = ["mode", "domain", "namespace"]
  static let serviceKeys = ["host", "port", "scheme", "timeout", "retries"]
  static let loadBalancerKeys = ["hosts", "strategy"]
  static let gossipKeys =
    [
      "node_name", "bind", "advertise", "join", "encrypt", "label", "profile", "http",
      "keyring_file", "preset",
    ] + PolicySetting.allCases.map(\.key)
  static let dnsKeys = ["address", "domain", "ttl"]
  static let advertisedKeys = ["url", "check"]
  static let checkKeys = [
    "type", "path", "interval", "timeout", "failures_before_critical", "successes_before_passing",
    "ttl",
  ]
  /// The check types a file may name: a closure exists only in Swift.
  static let fileCheckKinds: [HealthCheck.Kind] = [.http, .tcp, .redis, .ttl]
  /// The settings of checks that probe, which a TTL check does not.
  static let probeCheckKeys: Set<String> = [
    "interval", "timeout", "failures_before_critical", "successes_before_passing",
  ]
  /// The gossip port, memberlist's and Serf's default.
  static let gossipPort: UInt16 = 7946

  let file: String
  var configuration: DiscoveryConfiguration
  var errors: [ConfigurationError] = []

  /// Decodes `root`, parsed from `file`.
  static func decode(_ root: YAMLValue, file: String) -> (
    configuration: DiscoveryConfiguration, errors: [ConfigurationError]
  ) {
    var decoder = ConfigurationDecoder(file: file)
    decoder.decodeRoot(root)
    return (decoder.configuration, decoder.errors)
  }

  private init(file: String) {
    self.file = file
    configuration = DiscoveryConfiguration(file: file)
  }

  private mutating func decodeRoot(_ root: YAMLValue) {
    if case .scalar = root.content {
      report(
        root.position, "",
        "expected the configuration's sections (\(Self.topLevelKeys.joined(separator: ", "))) as 'key:' lines, found a single value"
          + Self.missingSpaceHint(root)
      )
      return
    }
    for entry in entries(of: root, path: "", allowed: Self.topLevelKeys) {
      switch entry.key {
      case "deployment": decodeDeployment(entry.value)
      case "services": decodeServices(entry.value)
      case "load_balancers": decodeLoadBalancers(entry.value)
      case "gossip": decodeGossip(entry.value)
      case "dns": decodeDNS(entry.value)
      default: decodeAdvertised(entry.value, keyPosition: entry.keyPosition)
      }
    }
  }

  // MARK: Sections

  private mutating func decodeDeployment(_ value: YAMLValue) {
    for entry in entries(of: value, path: "deployment", allowed: Self.deploymentKeys) {
      let path = "deployment.\(entry.key)"
      switch entry.key {
      case "mode":
        configuration.mode = parse(entry.value, path) { text throws(InvalidValue) in
          try DeploymentMode(parsing: text)
        }
      case "domain":
        configuration.domain = parse(entry.value, path) { text throws(InvalidValue) in
          try HostName.validateDomain(text)
          return text
        }
      default:
        configuration.namespace = parse(entry.value, path) { text throws(InvalidValue) in
          try HostName.validateNamespace(text)
          return text
        }
      }
    }
  }

  private mutating func decodeServices(_ value: YAMLValue) {
    for entry in entries(of: value, path: "services", allowed: nil) {
      guard let name = serviceName(entry, section: "services") else { continue }
      let path = "services.\(name)"
      var endpoint = ServiceEndpoint(name: name)
      configuration.origins[path] = .file(file, entry.keyPosition)
      for field in entries(of: entry.value, path: path, allowed: Self.serviceKeys) {
        let fieldPath = "\(path).\(field.key)"
        switch field.key {
        case "host":
          endpoint.host = parse(field.value, fieldPath) { text throws(InvalidValue) in
            try Self.serviceHost(text, portKey: "port")
          }
        case "port":
          endpoint.port = parse(field.value, fieldPath, Self.port)
        case "scheme":
          endpoint.scheme = parse(field.value, fieldPath) { text throws(InvalidValue) in
            try ServiceURL.validateScheme(text)
            return text
          }
        case "timeout":
          endpoint.timeout = parse(field.value, fieldPath) { text throws(InvalidValue) in
            try DurationText.parse(text, maximum: .seconds(3600))
          }
        default:
          endpoint.retries = parse(field.value, fieldPath) { text throws(InvalidValue) in
            try Self.count(text, in: 0...100, what: "number of retries")
          }
        }
      }
      configuration.services.append(endpoint)
    }
  }

  private mutating func decodeLoadBalancers(_ value: YAMLValue) {
    for entry in entries(of: value, path: "load_balancers", allowed: nil) {
      guard let name = serviceName(entry, section: "load_balancers") else { continue }
      let path = "load_balancers.\(name)"
      // Without `hosts:` the entry only sets the strategy for the
      // service's gossip instances.
      var balancer = LoadBalancer(name: name, hosts: [])
      configuration.origins[path] = .file(file, entry.keyPosition)
      for field in entries(of: entry.value, path: path, allowed: Self.loadBalancerKeys) {
        if field.key == "hosts" {
          let items = items(field.value, path: "\(path).hosts", splittingCommas: false)
          for (index, item) in items.enumerated() {
            if let host = parse(
              item, "\(path).hosts[\(index)]",
              { text throws(InvalidValue) in
                try HostAndPort(parsing: text)
              })
            {
              balancer.hosts.append(host)
            }
          }
          if items.isEmpty {
            report(
              field.value.position, "\(path).hosts", "is empty; list at least one '- host:port'")
          }
        } else if let strategy = parse(
          field.value, "\(path).strategy",
          { text throws(InvalidValue) in
            try Choice.parse(text, as: LoadBalancingStrategy.self, what: "load-balancing strategy")
          })
        {
          balancer.strategy = strategy
        }
      }
      configuration.loadBalancers.append(balancer)
    }
  }

  private mutating func decodeGossip(_ value: YAMLValue) {
    for entry in entries(of: value, path: "gossip", allowed: Self.gossipKeys) {
      let path = "gossip.\(entry.key)"
      switch entry.key {
      case "node_name":
        configuration.gossip.nodeName = parse(entry.value, path, Self.nodeName)
      case "bind":
        configuration.gossip.bind = parse(entry.value, path) { text throws(InvalidValue) in
          try Self.numericAddress(text, allowsPortZero: true)
        }
      case "advertise":
        configuration.gossip.advertise = parse(entry.value, path, Self.advertiseAddress)
      case "join":
        configuration.gossip.join = items(entry.value, path: path, splittingCommas: true)
          .enumerated().compactMap { index, item in
            parse(item, "\(path)[\(index)]", Self.seed)
          }
      case "encrypt":
        configuration.gossip.encryptionKeys = items(entry.value, path: path, splittingCommas: true)
          .enumerated().compactMap { index, item in
            parse(item, "\(path)[\(index)]", EncryptionKey.decode)
          }
      case "label":
        configuration.gossip.label = parse(entry.value, path, Self.label)
      case "http":
        configuration.gossip.http = parse(entry.value, path, APIAddress.parse)
      case "keyring_file":
        configuration.gossip.keyringFile = parse(entry.value, path, Self.filePath)
      case "preset":
        configuration.gossip.preset = parse(entry.value, path) { text throws(InvalidValue) in
          try Choice.parse(text, as: Preset.self, what: "preset")
        }
      case "profile":
        configuration.gossip.profile = parse(entry.value, path) { text throws(InvalidValue) in
          try Choice.parse(text, as: Profile.self, what: "gossip profile")
        }
      default:
        guard let setting = PolicySetting(rawValue: entry.key) else { break }
        configuration.gossip.policies[setting] = parse(entry.value, path, setting.parse)
      }
    }
  }

  private mutating func decodeDNS(_ value: YAMLValue) {
    for entry in entries(of: value, path: "dns", allowed: Self.dnsKeys) {
      let path = "dns.\(entry.key)"
      switch entry.key {
      case "address":
        configuration.dns.address = parse(entry.value, path, DNSConfiguration.parseAddress)
      case "domain":
        configuration.dns.domain = parse(entry.value, path, DNSConfiguration.parseDomain)
      default:
        configuration.dns.ttl = parse(entry.value, path, DNSConfiguration.parseTTL)
      }
    }
  }

  private mutating func decodeAdvertised(_ value: YAMLValue, keyPosition: SourcePosition) {
    for entry in entries(of: value, path: "advertise", allowed: nil) {
      guard let name = serviceName(entry, section: "advertise") else { continue }
      let path = "advertise.\(name)"
      var url: ServiceURL?
      var checkValue: YAMLValue?
      switch entry.value.content {
      case .scalar:
        url = parse(entry.value, path, ServiceURL.init(parsing:))
      case .map:
        for field in entries(of: entry.value, path: path, allowed: Self.advertisedKeys) {
          if field.key == "url" {
            url = parse(field.value, "\(path).url", ServiceURL.init(parsing:))
          } else {
            checkValue = field.value
          }
        }
        if entry.value["url"] == nil {
          report(
            entry.keyPosition, path,
            "needs 'url:', where the service listens (e.g. http://:8001/api; an empty host means this node)"
          )
        }
      default:
        report(
          entry.value.position, path,
          "expected the service's URL (e.g. redis://:6379) or 'url:' and 'check:' lines, found \(entry.value.kindDescription)"
        )
      }
      guard let url else { continue }
      let check =
        checkValue.map { decodeCheck($0, path: "\(path).check", service: name, url: url) }
        ?? HealthCheck.standard(forService: name, url: url)
      configuration.advertise.append(AdvertisedService(name: name, url: url, check: check))
      configuration.origins[path] = .file(file, entry.keyPosition)
    }
    checkTagSize(at: keyPosition)
  }

  /// A `check:`: `none`, nothing (the standard check) or its settings
  /// over the standard check's.
  private mutating func decodeCheck(
    _ value: YAMLValue, path: String, service: String, url: ServiceURL
  ) -> HealthCheck? {
    var check = HealthCheck.standard(forService: service, url: url)
    if case .scalar(let text, _) = value.content {
      if text != "none" {
        report(
          value.position, path,
          "expected 'none' (no check) or the check's settings as indented 'key: value' lines, found '\(text)'"
        )
      }
      return nil
    }
    let fields = entries(of: value, path: path, allowed: Self.checkKeys)
    if let type = fields.first(where: { $0.key == "type" }),
      let kind = parse(
        type.value, "\(path).type",
        { text throws(InvalidValue) in
          try Choice.parse(
            text, as: HealthCheck.Kind.self, what: "check type", among: Self.fileCheckKinds)
        })
    {
      check.kind = kind
      if kind != .http { check.path = "/" }
    }
    var timeoutPosition: SourcePosition?
    for field in fields {
      let fieldPath = "\(path).\(field.key)"
      if check.kind == .ttl, Self.probeCheckKeys.contains(field.key) {
        report(
          field.keyPosition, fieldPath,
          "does not apply to a ttl check, which the application renews (RumorNode.renew) instead of being probed; remove it or set another type"
        )
        continue
      }
      switch field.key {
      case "type": break
      case "ttl":
        guard check.kind == .ttl else {
          report(
            field.keyPosition, fieldPath,
            "applies to ttl checks only; remove it or set 'type: ttl'")
          continue
        }
        check.ttl =
          parse(field.value, fieldPath) { text throws(InvalidValue) in
            try DurationText.parse(text, maximum: .seconds(86_400))
          } ?? check.ttl
      case "path":
        guard check.kind == .http else {
          report(
            field.keyPosition, fieldPath,
            "applies to http checks only; remove it or set 'type: http'")
          continue
        }
        check.path = parse(field.value, fieldPath, Self.httpPath) ?? check.path
      case "interval":
        check.interval =
          parse(field.value, fieldPath) { text throws(InvalidValue) in
            try DurationText.parse(text, maximum: .seconds(3600))
          } ?? check.interval
      case "timeout":
        timeoutPosition = field.value.position
        check.timeout =
          parse(field.value, fieldPath) { text throws(InvalidValue) in
            try DurationText.parse(text, maximum: .seconds(3600))
          } ?? check.timeout
      case "failures_before_critical":
        check.failuresBeforeCritical =
          parse(field.value, fieldPath) { text throws(InvalidValue) in
            try Self.count(text, in: 1...100, what: "number of failures")
          } ?? check.failuresBeforeCritical
      default:
        check.successesBeforePassing =
          parse(field.value, fieldPath) { text throws(InvalidValue) in
            try Self.count(text, in: 1...100, what: "number of successes")
          } ?? check.successesBeforePassing
      }
    }
    if check.kind != .ttl, check.timeout >= check.interval {
      report(
        timeoutPosition ?? value.position, "\(path).timeout",
        "\(DurationText.format(check.timeout)) is not shorter than the interval (\(DurationText.format(check.interval))); a check must end before the next one starts"
      )
    }
    return check
  }

  /// The advertised services' tags must fit a node's metadata
  /// (`AdvertisedService.checkTagsFit`).
  private mutating func checkTagSize(at position: SourcePosition) {
    do {
      try AdvertisedService.checkTagsFit(configuration.advertise)
    } catch {
      report(position, "advertise", error.reason)
    }
  }

  // MARK: Building blocks

  private mutating func report(_ position: SourcePosition, _ path: String, _ message: String) {
    errors.append(
      ConfigurationError(.file(file, position), path.isEmpty ? message : "\(path): \(message)"))
  }

  /// The entries of a map, without those whose key is not in `allowed`
  /// (each reported); an empty value has none.
  private mutating func entries(of value: YAMLValue, path: String, allowed: [String]?)
    -> [YAMLValue.Entry]
  {
    switch value.content {
    case .empty:
      return []
    case .map(let entries):
      guard let allowed else { return entries }
      return entries.filter { entry in
        if allowed.contains(entry.key) { return true }
        var message =
          path.isEmpty ? "unknown top-level key '\(entry.key)'" : "unknown key '\(entry.key)'"
        if let close = Suggestion.closest(to: entry.key, among: allowed) {
          message += "; did you mean '\(close)'?"
        }
        message += " (known: \(allowed.joined(separator: ", ")))"
        report(entry.keyPosition, path, message)
        return false
      }
    default:
      report(
        value.position, path,
        "expected a map (indented 'key: value' lines), found \(value.kindDescription)"
          + Self.missingSpaceHint(value))
      return []
    }
  }

  /// For a plain value that reads as a key and its value without the
  /// space after ':' (`port:6379`, which YAML takes as one text), the
  /// hint to add one; empty for anything else, URLs included.
  static func missingSpaceHint(_ value: YAMLValue) -> String {
    guard case .scalar(let text, .plain) = value.content,
      let colon = text.firstIndex(of: ":"), colon != text.startIndex
    else { return "" }
    let key = text[..<colon]
    let rest = text[text.index(after: colon)...]
    guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }),
      let first = rest.first, first != "/", first != " "
    else { return "" }
    return "; if '\(text)' is a key and its value, put a space after ':' (\(key): \(rest))"
  }

  /// A scalar value parsed by `parser`, its origin recorded; nil (and an
  /// error reported) if it is missing, not a scalar or not valid.
  private mutating func parse<Value>(
    _ value: YAMLValue, _ path: String, _ parser: (String) throws(InvalidValue) -> Value
  ) -> Value? {
    switch value.content {
    case .scalar(let text, _):
      do {
        let parsed = try parser(text)
        configuration.origins[path] = .file(file, value.position)
        return parsed
      } catch {
        report(value.position, path, error.reason)
        return nil
      }
    case .empty:
      report(value.position, path, "has no value; give one, or remove the key")
      return nil
    default:
      report(value.position, path, "expected a single value, found \(value.kindDescription)")
      return nil
    }
  }

  /// The items of a list; with `splittingCommas`, a single value may list
  /// them separated by commas, as the environment variables do.
  private mutating func items(_ value: YAMLValue, path: String, splittingCommas: Bool)
    -> [YAMLValue]
  {
    switch value.content {
    case .list(let items):
      configuration.origins[path] = .file(file, value.position)
      return items
    case .empty:
      return []
    case .scalar(let text, let style) where splittingCommas:
      let items = text.split(separator: ",").map {
        YAMLValue(.scalar($0.trimmingSpaces, style), at: value.position)
      }.filter { $0.scalar?.isEmpty == false }
      guard !items.isEmpty else {
        report(
          value.position, path,
          "'\(text)' lists nothing between its commas; give at least one item, or remove the key")
        return []
      }
      configuration.origins[path] = .file(file, value.position)
      return items
    default:
      report(
        value.position, path,
        "expected a list ('- item' lines, indented below the key), found \(value.kindDescription)")
      return []
    }
  }

  /// The entry's key as a service name, or nil after reporting it.
  private mutating func serviceName(_ entry: YAMLValue.Entry, section: String) -> String? {
    do {
      try ServiceName.validate(entry.key)
      return entry.key
    } catch {
      report(entry.keyPosition, section, error.reason)
      return nil
    }
  }

  // MARK: Value rules shared with the environment

  /// A port, 1 to 65535.
  static func port(_ text: String) throws(InvalidValue) -> UInt16 {
    guard let number = Int(text), let port = UInt16(exactly: number), port > 0 else {
      throw InvalidValue("'\(text)' is not a port; use a whole number from 1 to 65535")
    }
    return port
  }

  /// A whole number in `range`.
  static func count(_ text: String, in range: ClosedRange<Int>, what: String) throws(InvalidValue)
    -> Int
  {
    guard let number = Int(text), range.contains(number) else {
      throw InvalidValue(
        "'\(text)' is not a \(what); use a whole number from \(range.lowerBound) to \(range.upperBound)"
      )
    }
    return number
  }

  /// A service's host alone: the port has its own setting.
  static func serviceHost(_ text: String, portKey: String) throws(InvalidValue) -> String {
    if !text.contains("://"), let address = try? HostAndPort(parsing: text), !text.hasPrefix("[") {
      throw InvalidValue(
        "'\(text)' has a port; give the host alone and the port in \(portKey) (\(address.port))")
    }
    try HostName.validate(text)
    return text
  }

  /// A numeric address for binding or advertising, port 7946 unless given.
  static func numericAddress(_ text: String, allowsPortZero: Bool) throws(InvalidValue)
    -> HostAndPort
  {
    let address = try HostAndPort(
      parsing: text, defaultPort: gossipPort, allowsPortZero: allowsPortZero)
    guard address.isNumeric else {
      throw InvalidValue(
        "'\(text)' is not a numeric IP address; use 0.0.0.0 for every interface, 127.0.0.1 for this machine, or the machine's own address"
      )
    }
    return address
  }

  /// `gossip.advertise` and `RUMOR_ADVERTISE`: see
  /// `HostAndPort.init(advertising:)`.
  static func advertiseAddress(_ text: String) throws(InvalidValue) -> HostAndPort {
    try HostAndPort(advertising: text)
  }

  /// A member to join through: a name or address, port 7946 unless given.
  static func seed(_ text: String) throws(InvalidValue) -> HostAndPort {
    try HostAndPort(parsing: text, defaultPort: gossipPort)
  }

  /// A node name: not empty, no control characters.
  static func nodeName(_ text: String) throws(InvalidValue) -> String {
    guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
    else {
      throw InvalidValue("a node name must be non-empty text without control characters")
    }
    guard text.utf8.count <= 255 else {
      throw InvalidValue("a node name is longer than 255 bytes")
    }
    return text
  }

  /// A file's path: not empty, no NUL, at most 4,096 bytes (PATH_MAX).
  static func filePath(_ text: String) throws(InvalidValue) -> String {
    guard !text.isEmpty else { throw InvalidValue("a file path is empty") }
    guard !text.utf8.contains(0) else { throw InvalidValue("a file path holds a NUL byte") }
    guard text.utf8.count <= 4096 else {
      throw InvalidValue("a file path is longer than 4096 bytes")
    }
    return text
  }

  /// A cluster label: memberlist sends it in a one-byte-length header.
  static func label(_ text: String) throws(InvalidValue) -> String {
    guard text.utf8.count <= 255 else {
      throw InvalidValue("a label is longer than 255 bytes, memberlist's limit")
    }
    return text
  }

  /// An HTTP path for a check.
  static func httpPath(_ text: String) throws(InvalidValue) -> String {
    guard text.hasPrefix("/"),
      text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
    else {
      throw InvalidValue(
        "'\(text)' is not an HTTP path; start it with '/' and percent-encode spaces")
    }
    return text
  }
}
