import CommandLineSupport
import Rumor

/// `rumor config`: checks configuration files and shows the configuration
/// in effect.
enum ConfigCommand {
  static let summary = "Check a configuration file, or show the configuration in effect"
  static let help = """
    Usage: rumor config check FILE... [--json]
           rumor config show [--file FILE] [--json]

    check   Parses and decodes each FILE (the YAML of config/deployment/*.yml)
            on its own, without the environment. Prints a summary of each
            (with --json, one object a line) and exits 0 when all are
            valid; otherwise prints every error as FILE:LINE:COLUMN: MESSAGE
            on stderr, checks the other files all the same, and exits 1.
    show    Prints the configuration in effect for a process started here:
            FILE (or $RUMOR_CONFIG, or none) with the environment's
            overrides applied, the deployment mode detected, and the mode's
            conventions filling the gaps; each value says where it came from.

    Options:
      --file FILE   (show) the configuration file; default $RUMOR_CONFIG
      --json        print JSON instead of text

    Exit status: 0 when valid, 1 for configuration errors, 2 for a bad
    command line. docs/configuration.md describes every key and variable.
    """

  static func run(_ arguments: [String], console: Console) throws(CommandError) {
    guard let action = arguments.first, !action.hasPrefix("-") else {
      let parsed = try ArgumentList(arguments, command: "rumor config", options: [])
      if parsed.wantsHelp { return console.out(help) }
      throw .usage("say 'check FILE...' or 'show'", command: "rumor config")
    }
    let rest = Array(arguments.dropFirst())
    switch action {
    case "check": try check(rest, console: console)
    case "show": try show(rest, console: console)
    default:
      throw .usage("unknown action '\(action)'; use check or show", command: "rumor config")
    }
  }

  // MARK: check

  private static func check(_ arguments: [String], console: Console) throws(CommandError) {
    let command = "rumor config check"
    let parsed = try ArgumentList(
      arguments, command: command, options: [.init(name: "json", takesValue: false)])
    if parsed.wantsHelp { return console.out(help) }
    let files = parsed.positional
    guard !files.isEmpty else {
      throw .usage("the file to check is missing", command: command)
    }
    var invalid: [String] = []
    for (index, file) in files.enumerated() {
      if index > 0 && !parsed.flag("json") { console.out("") }
      if let problem = check(file, json: parsed.flag("json"), console: console) {
        invalid.append(problem)
      }
    }
    guard invalid.isEmpty else {
      let message =
        files.count == 1
        ? invalid.joined()
        : "\(invalid.count) of \(files.count) files are invalid: \(invalid.joined(separator: "; "))"
      throw CommandError(message: message, status: CommandError.failureStatus)
    }
  }

  /// Checks one file: its summary (or JSON) on stdout, its errors on
  /// stderr; returns "FILE: N errors" when it is invalid.
  private static func check(_ file: String, json: Bool, console: Console) -> String? {
    let configuration: DiscoveryConfiguration
    do {
      configuration = try ConfigurationLoader.load(file: file)
    } catch {
      for problem in error.errors { console.err(problem.description) }
      if json {
        console.out(
          JSONValue.object([
            ("file", .string(file)), ("valid", false), ("errors", error.json),
          ]).text)
      }
      let count = error.errors.count
      return "\(file): \(count) error\(count == 1 ? "" : "s")"
    }
    if json {
      console.out(
        JSONValue.object([
          ("file", .string(file)), ("valid", true), ("configuration", configuration.json),
        ]).text)
    } else {
      console.out(checkSummary(configuration, file: file))
    }
    return nil
  }

  /// What a valid file sets, in a few lines.
  static func checkSummary(_ configuration: DiscoveryConfiguration, file: String) -> String {
    let gossip = configuration.gossip
    var gossipParts: [String] = []
    if let name = gossip.nodeName { gossipParts.append("node \(name)") }
    if let bind = gossip.bind { gossipParts.append("bind \(bind)") }
    if let advertise = gossip.advertise { gossipParts.append("advertise \(advertise)") }
    if !gossip.join.isEmpty {
      gossipParts.append("join \(gossip.join.map(\.description).joined(separator: ", "))")
    }
    if !gossip.encryptionKeys.isEmpty {
      gossipParts.append(
        "\(gossip.encryptionKeys.count) key\(gossip.encryptionKeys.count == 1 ? "" : "s")")
    }
    if let label = gossip.label { gossipParts.append("label \(label)") }
    if let file = gossip.keyringFile { gossipParts.append("keyring file \(file)") }
    if let profile = gossip.profile { gossipParts.append("profile \(profile.rawValue)") }
    if let preset = gossip.preset { gossipParts.append("preset \(preset.rawValue)") }
    for (setting, value) in gossip.policies.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      gossipParts.append("\(setting.key) \(value)")
    }
    if let http = gossip.http { gossipParts.append("http \(http)") }
    let services = configuration.services.map { service in
      var parts: [String] = []
      if let host = service.host {
        parts.append(port(host, service.port))
      } else if let port = service.port {
        parts.append("port \(port)")
      }
      if let timeout = service.timeout { parts.append("timeout \(DurationText.format(timeout))") }
      if let retries = service.retries { parts.append("\(retries) retries") }
      return parts.isEmpty ? service.name : "\(service.name) (\(parts.joined(separator: ", ")))"
    }
    let balancers = configuration.loadBalancers.map { balancer in
      let hosts =
        balancer.hosts.isEmpty
        ? "gossip instances only" : balancer.hosts.map(\.description).joined(separator: ", ")
      return "\(balancer.name) (\(balancer.strategy): \(hosts))"
    }
    let advertised = configuration.advertise.map { service in
      "\(service.name) \(service.url)" + (service.check.map { " (\($0.summary))" } ?? " (no check)")
    }
    let rows: [[String]] = [
      ["mode", configuration.mode?.rawValue ?? "not set: detected at startup"],
      ["domain", configuration.domain ?? "-"],
      ["namespace", configuration.namespace ?? "-"],
      ["services", services.isEmpty ? "-" : services.joined(separator: "; ")],
      ["load balancers", balancers.isEmpty ? "-" : balancers.joined(separator: "; ")],
      [
        "gossip",
        gossipParts.isEmpty ? "defaults of the mode" : gossipParts.joined(separator: ", "),
      ],
      ["advertises", advertised.isEmpty ? "-" : advertised.joined(separator: "; ")],
    ]
    return (["\(file): valid"] + summaryLines(rows)).joined(separator: "\n")
  }

  private static func port(_ host: String, _ port: UInt16?) -> String {
    guard let port else { return host }
    return HostAndPort(host: host, port: port).description
  }

  // MARK: show

  private static func show(_ arguments: [String], console: Console) throws(CommandError) {
    let command = "rumor config show"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [.init(name: "file", takesValue: true), .init(name: "json", takesValue: false)])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    let file = try parsed.value("file")
    let effective: EffectiveConfiguration
    do {
      effective = try ConfigurationLoader.effective(file: file, host: .current())
    } catch {
      for problem in error.errors { console.err(problem.description) }
      let count = error.errors.count
      throw CommandError(
        message: "\(count) configuration error\(count == 1 ? "" : "s")",
        status: CommandError.failureStatus)
    }
    console.out(parsed.flag("json") ? effective.json.text : showText(effective))
  }

  /// The effective configuration as text, each value with its origin.
  static func showText(_ effective: EffectiveConfiguration) -> String {
    let origins = effective.origins
    func from(_ path: String) -> String? { origins[path].map { "(\($0))" } }
    var lines: [String] = []
    lines += keyValueLines([
      ("file", effective.file ?? "none (set --file or RUMOR_CONFIG)", nil),
      ("mode", effective.mode.rawValue, "(\(effective.detection.explanation))"),
      ("domain", effective.domain ?? "-", from("deployment.domain")),
      ("namespace", effective.namespace, from("deployment.namespace")),
      (
        "environment",
        effective.environment.isEmpty ? "-" : effective.environment.joined(separator: ", "), nil
      ),
    ])
    lines.append("")
    lines.append("Services (static fallback, used when gossip has no healthy instance):")
    lines.append(
      TextTable.render(
        header: ["NAME", "URL", "TIMEOUT", "RETRIES", "HOST FROM", "PORT FROM"],
        rows: effective.services.map { service in
          [
            service.name, service.url ?? "none: \(service.missing ?? "")",
            DurationText.format(service.timeout), String(service.retries),
            service.hostOrigin?.description ?? "-", service.portOrigin?.description ?? "-",
          ]
        }))
    if !effective.loadBalancers.isEmpty {
      lines.append("")
      lines.append("Load balancers:")
      lines.append(
        TextTable.render(
          header: ["NAME", "STRATEGY", "HOSTS"],
          rows: effective.loadBalancers.map {
            [$0.name, $0.strategy.rawValue, $0.hosts.map(\.description).joined(separator: ", ")]
          }))
    }
    let gossip = effective.gossip
    let seedsFrom =
      (origins["gossip.join"].map { "(gossip.join at \($0), then " } ?? "(")
      + "the \(effective.mode) convention)"
    lines.append("")
    lines.append("Gossip:")
    let policyLines: [(key: String, value: String, origin: String?)] = PolicySetting.allCases.map {
      setting in
      let name = "  " + String(setting.key.map { $0 == "_" ? " " : $0 })
      return (name, setting.value(in: gossip.policies).description, from("gossip.\(setting.key)"))
    }
    lines += keyValueLines(
      [
        ("node name", gossip.nodeName, from("gossip.node_name")),
        ("bind", gossip.bind.description, from("gossip.bind")),
        (
          "advertise",
          gossip.advertise?.description ?? "the bind address, or the first private one",
          from("gossip.advertise")
        ),
        ("seeds", gossip.seeds.map(\.description).joined(separator: ", "), seedsFrom),
        (
          "encryption",
          gossip.encryptionKeys.isEmpty ? "off" : "\(gossip.encryptionKeys.count) key(s)",
          from("gossip.encrypt")
        ),
        ("label", gossip.label.isEmpty ? "-" : gossip.label, from("gossip.label")),
        ("keyring file", gossip.keyringFile ?? "-", from("gossip.keyring_file")),
        ("profile", gossip.profile.rawValue, from("gossip.profile")),
        ("preset", gossip.preset.rawValue, from("gossip.preset")),
      ] + policyLines + [("http API", gossip.http.description, from("gossip.http"))],
      indent: "  ")
    lines.append("")
    lines.append("DNS:")
    lines += keyValueLines(
      [
        ("address", effective.dns.address?.description ?? "off", from("dns.address")),
        ("domain", effective.dns.domain, from("dns.domain")),
        ("ttl", "\(effective.dns.ttl) s", from("dns.ttl")),
      ], indent: "  ")
    lines.append("")
    if gossip.advertised.isEmpty {
      lines.append("Advertises: nothing (set advertise: or RUMOR_SERVICES)")
    } else {
      lines.append("Advertises:")
      lines.append(
        TextTable.render(
          header: ["NAME", "TAG", "CHECK"],
          rows: gossip.advertised.map {
            [$0.name, "\($0.tagKey)=\($0.url)", $0.check?.summary ?? "none"]
          }))
    }
    for note in effective.notes { lines.append("note: \(note)") }
    return lines.joined(separator: "\n")
  }

  /// `key  value  (origin)` lines, keys aligned; values are not padded, so
  /// a long one (the seeds) does not push every origin off the screen.
  private static func keyValueLines(
    _ rows: [(key: String, value: String, origin: String?)], indent: String = ""
  ) -> [String] {
    let width = rows.map(\.key.count).max() ?? 0
    return rows.map { row in
      indent + row.key.padded(to: width + 2) + row.value
        + (row.origin.map { "  " + $0 } ?? "")
    }
  }

  /// A valid file's summary: the key-value lines under the file name.
  private static func summaryLines(_ rows: [[String]]) -> [String] {
    keyValueLines(rows.map { ($0[0], $0[1], nil) }, indent: "  ")
  }
}
