import RumorCore

/// Answers `url(for: name, path:)` in DESIGN.md's order, from values it is
/// handed: the effective configuration, the environment, a catalog of the
/// gossip view and the time. It keeps the per-instance circuit breakers
/// and the strategies' cursors; it does no IO, so every rule is tested on
/// fake time.
///
/// 1. `<NAME>_HOST` (with `<NAME>_PORT`): the operator pinned the service;
///    used as is, breakers do not apply.
/// 2. Gossip: instances whose member is alive, whose health is `passing`
///    (`warning` only when nothing passes) and whose circuit is not open,
///    picked by the service's strategy.
/// 3. The file: `load_balancers.<name>` (picked by its strategy, open
///    circuits skipped), else `services.<name>.host`.
/// 4. The mode's convention for the host, with the known port and scheme.
public struct ServiceResolver: Sendable {
  /// The configuration steps 1, 3 and 4 read.
  public let configuration: EffectiveConfiguration
  /// The environment, for `<NAME>_HOST` of services the configuration does
  /// not know.
  public let variables: [String: String]
  /// The breakers' settings.
  public let breakerSettings: CircuitBreaker.Settings
  private var picker: InstancePicker
  private var histories: [HostAndPort: InstanceHistory] = [:]
  /// Step 1's answers, fixed by the configuration: looked up, not rebuilt,
  /// on every call.
  private let environmentURLs: [String: ServiceURL]
  /// Each load-balanced service's strategy (round robin for the others).
  private let strategies: [String: LoadBalancingStrategy]

  /// A resolver; `seed` drives the `random` and `least_failures` choices.
  public init(
    configuration: EffectiveConfiguration, variables: [String: String] = [:],
    breakerSettings: CircuitBreaker.Settings = CircuitBreaker.Settings(),
    seed: UInt64 = UInt64.random(in: .min ... .max)
  ) {
    self.configuration = configuration
    self.variables = variables
    self.breakerSettings = breakerSettings
    picker = InstancePicker(seed: seed)
    var environmentURLs: [String: ServiceURL] = [:]
    for service in configuration.services {
      if case .environment? = service.hostOrigin, let url = Self.url(of: service) {
        environmentURLs[service.name] = url
      }
    }
    self.environmentURLs = environmentURLs
    var strategies: [String: LoadBalancingStrategy] = [:]
    for pool in configuration.loadBalancers where strategies[pool.name] == nil {
      strategies[pool.name] = pool.strategy
    }
    self.strategies = strategies
  }

  // MARK: The lookup's fast path

  /// The URL text for `name` with `path` appended when step 1 or step 2
  /// answers, without composing the explanation `resolve` returns; nil
  /// when neither does, and the caller should call `resolve`, which then
  /// makes the choice this call did not make. The choice, the strategy's
  /// cursor and the claimed half-open trial are exactly `resolve`'s.
  public mutating func quickURL(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp
  ) -> String? {
    if let url = environmentURLs[name] {
      return Self.appending(path, to: url).description
    }
    guard let choices = catalog?.choices[name] else { return nil }
    var instances = choices.passing.isEmpty ? choices.warning : choices.passing
    var texts = choices.passing.isEmpty ? choices.warningURLs : choices.passingURLs
    if !histories.isEmpty {
      // Breakers exist: leave out the refusing instances, as `plan` does,
      // before choosing between passing and warning ones.
      let resolver = self
      let open = { (instance: ServiceInstance) in
        resolver.refuses(Self.key(of: instance.url), at: now)
      }
      if choices.passing.contains(where: open) || choices.warning.contains(where: open) {
        let passing = choices.passing.indices.filter { !open(choices.passing[$0]) }
        let warning = choices.warning.indices.filter { !open(choices.warning[$0]) }
        let (list, urls, kept) =
          passing.isEmpty
          ? (choices.warning, choices.warningURLs, warning)
          : (choices.passing, choices.passingURLs, passing)
        instances = kept.map { list[$0] }
        texts = kept.map { urls[$0] }
      }
    }
    guard !instances.isEmpty else { return nil }
    let index =
      picker.pick(
        among: instances.count, service: name, strategy: strategies[name] ?? .roundRobin,
        failures: { [instances] in
          histories[Self.key(of: instances[$0].url)]?.recentFailures(at: now) ?? 0
        }) ?? 0
    let chosen = instances[index]
    if !histories.isEmpty {
      _ = histories[Self.key(of: chosen.url)]?.breaker.allowsRequest(at: now)
    }
    return path.isEmpty ? texts[index] : Self.appending(path, to: chosen.url).description
  }

  /// Whether the breaker at `key` refuses a call now.
  private func refuses(_ key: HostAndPort, at now: Timestamp) -> Bool {
    guard let breaker = histories[key]?.breaker else { return false }
    return !breaker.wouldAllowRequest(at: now)
  }

  // MARK: Resolving

  /// The URL for `name` with `path` appended, and how it was found.
  /// `catalog` is the gossip view (nil when there is none: no node).
  /// Claims the half-open trial of the instance it returns, if any.
  public mutating func resolve(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp
  ) throws(ResolutionError) -> Resolution {
    let steps = plan(name, catalog: catalog, at: now)
    var explanation: [String] = []
    for step in steps {
      guard !step.candidates.isEmpty else {
        explanation.append(step.line)
        continue
      }
      let candidates = step.candidates
      let index =
        picker.pick(
          among: candidates.count, service: name, strategy: step.strategy,
          failures: { histories[candidates[$0].key]?.recentFailures(at: now) ?? 0 }) ?? 0
      let chosen = candidates[index]
      if step.source != .environment {
        // Claims the trial when half-open; always allowed here, because
        // `plan` left out every instance that would refuse.
        _ = histories[chosen.key]?.breaker.allowsRequest(at: now)
      }
      // A step with one candidate already names it in its line.
      explanation.append(
        candidates.count > 1
          ? step.line + "; chose \(chosen.label) by \(step.strategy) among \(candidates.count)"
          : step.source == .gossip ? step.line + "; chose \(chosen.label)" : step.line)
      return Resolution(
        service: name, url: Self.appending(path, to: chosen.url), source: step.source,
        instance: chosen.instance, explanation: explanation)
    }
    throw ResolutionError(
      service: name, tried: explanation, openCircuits: steps.flatMap(\.openCircuits))
  }

  /// An eligible instance other than the primary (the first eligible one
  /// in resolution order: the environment's, else the first healthy gossip
  /// instance by node name, else the file's first, else the
  /// convention's), for callers that want a fail-over target ready.
  public mutating func backup(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp
  ) throws(ResolutionError) -> Resolution {
    let steps = plan(name, catalog: catalog, at: now)
    var seen: Set<HostAndPort> = []
    var ordered: [(Candidate, Step)] = []
    for step in steps {
      for candidate in step.candidates where seen.insert(candidate.key).inserted {
        ordered.append((candidate, step))
      }
    }
    guard ordered.count >= 2 else {
      let only = ordered.first.map { "only \($0.0.label) is eligible" } ?? "nothing is eligible"
      throw ResolutionError(
        service: name, tried: steps.map(\.line) + ["no backup: \(only)"],
        openCircuits: steps.flatMap(\.openCircuits))
    }
    let (candidate, step) = ordered[1]
    if step.source != .environment {
      _ = histories[candidate.key]?.breaker.allowsRequest(at: now)
    }
    return Resolution(
      service: name, url: Self.appending(path, to: candidate.url), source: step.source,
      instance: candidate.instance,
      explanation: steps.map(\.line) + [
        "primary \(ordered[0].0.label); backup \(candidate.label)"
      ])
  }

  // MARK: Outcomes

  /// A call to `url` failed: counts towards its instance's breaker.
  public mutating func recordFailure(of url: ServiceURL, at now: Timestamp) {
    let key = Self.key(of: url)
    histories[key, default: InstanceHistory(settings: breakerSettings)].recordFailure(at: now)
  }

  /// A call to `url` succeeded: its breaker closes.
  public mutating func recordSuccess(of url: ServiceURL) {
    histories[Self.key(of: url)]?.recordSuccess()
  }

  /// The breaker of the instance at `url`'s host and port.
  public func breaker(of url: ServiceURL) -> CircuitBreaker {
    histories[Self.key(of: url)]?.breaker ?? CircuitBreaker(settings: breakerSettings)
  }

  // MARK: Planning

  private struct Candidate {
    var url: ServiceURL
    var label: String
    var instance: ServiceInstance?
    var key: HostAndPort { ServiceResolver.key(of: url) }
  }

  private struct Step {
    var source: ResolutionSource
    var candidates: [Candidate] = []
    var strategy: LoadBalancingStrategy = .first
    var openCircuits: [String] = []
    var note: String

    var line: String { "\(source): \(note)" }
  }

  private static func key(of url: ServiceURL) -> HostAndPort {
    HostAndPort(host: url.host.lowercased(), port: url.port)
  }

  private static func appending(_ path: String, to url: ServiceURL) -> ServiceURL {
    guard !path.isEmpty else { return url }
    var url = url
    let base = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
    url.path = base + (path.hasPrefix("/") ? path : "/" + path)
    return url
  }

  private func plan(_ name: String, catalog: ServiceCatalog?, at now: Timestamp) -> [Step] {
    let service = configuration.service(named: name)
    let environment = environmentStep(name, service: service)
    if !environment.candidates.isEmpty { return [environment] }
    return [
      environment, gossipStep(name, catalog: catalog, at: now),
      configurationStep(name, service: service, at: now),
      conventionStep(name, service: service, at: now),
    ]
  }

  private func environmentStep(_ name: String, service: EffectiveConfiguration.Service?) -> Step {
    let hostVariable = EnvironmentVariable.host(forService: name)
    if let service, case .environment(let variable)? = service.hostOrigin {
      guard let url = Self.url(of: service) else {
        return Step(
          source: .environment,
          note:
            "\(variable) is set but \(name) has \(service.missing ?? "no URL"): set \(EnvironmentVariable.port(forService: name)) or services.\(name) in the file"
        )
      }
      return Step(
        source: .environment, candidates: [Candidate(url: url, label: url.description)],
        note: "\(url) (\(variable)=\(url.host))")
    }
    if service == nil, let host = variables[hostVariable], !host.isEmpty {
      return Step(
        source: .environment,
        note:
          "\(hostVariable) is set but '\(name)' is not a known service, so its scheme and port are unknown: add services.\(name) with scheme and port to the configuration"
      )
    }
    if let service, case .environment(let variable)? = service.portOrigin, let port = service.port {
      return Step(
        source: .environment,
        note:
          "\(hostVariable) not set (\(variable)=\(port) applies to the file's and the convention's URL)"
      )
    }
    return Step(source: .environment, note: "\(hostVariable) not set")
  }

  private func gossipStep(_ name: String, catalog: ServiceCatalog?, at now: Timestamp) -> Step {
    let strategy = strategies[name] ?? .roundRobin
    var step = Step(source: .gossip, strategy: strategy, note: "")
    guard let catalog else {
      step.note = "no gossip view (this process runs no node)"
      return step
    }
    let instances = catalog.instances[name] ?? []
    guard !instances.isEmpty else {
      step.note = "no member advertises \(name)"
      return step
    }
    var passing: [Candidate] = []
    var warning: [Candidate] = []
    var skipped: [String] = []
    for instance in instances {
      let label = "\(instance.node) (\(instance.url))"
      if instance.memberState != .alive {
        skipped.append("\(label): node \(instance.memberState)")
      } else if instance.health == .critical {
        skipped.append("\(label): critical")
      } else if let why = circuitRefusal(Self.key(of: instance.url), at: now) {
        skipped.append("\(label): \(why)")
        step.openCircuits.append(label)
      } else {
        let candidate = Candidate(url: instance.url, label: label, instance: instance)
        if instance.health == .passing {
          passing.append(candidate)
        } else {
          warning.append(candidate)
        }
      }
    }
    var parts = ["\(instances.count) instance\(instances.count == 1 ? "" : "s")"]
    if !skipped.isEmpty { parts.append("skipped " + skipped.joined(separator: ", ")) }
    if passing.isEmpty && !warning.isEmpty {
      parts.append("none passing, using those with a warning")
    } else if !warning.isEmpty {
      parts.append(
        "passing ones preferred over "
          + warning.map { "\($0.label): warning" }.joined(separator: ", "))
    }
    step.candidates = passing.isEmpty ? warning : passing
    step.note = parts.joined(separator: "; ")
    return step
  }

  private func configurationStep(
    _ name: String, service: EffectiveConfiguration.Service?, at now: Timestamp
  ) -> Step {
    if let pool = configuration.loadBalancers.first(where: { $0.name == name }),
      !pool.hosts.isEmpty
    {
      var step = Step(source: .configuration, strategy: pool.strategy, note: "")
      let scheme = service?.scheme ?? "http"
      var skipped: [String] = []
      for host in pool.hosts {
        let url = ServiceURL(scheme: scheme, host: host.host, port: host.port)
        if let why = circuitRefusal(Self.key(of: url), at: now) {
          skipped.append("\(url): \(why)")
          step.openCircuits.append(url.description)
        } else {
          step.candidates.append(Candidate(url: url, label: url.description))
        }
      }
      var parts = ["load_balancers.\(name) has \(pool.hosts.count) host(s)"]
      if service?.scheme == nil {
        parts.append("scheme http assumed (set services.\(name).scheme otherwise)")
      }
      if !skipped.isEmpty { parts.append("skipped " + skipped.joined(separator: ", ")) }
      step.note = parts.joined(separator: "; ")
      return step
    }
    guard let service, case .file(let file, let position)? = service.hostOrigin else {
      return Step(source: .configuration, note: "no services.\(name) or load_balancers.\(name)")
    }
    return single(
      .configuration, service: service, at: now, origin: "services.\(name) at \(file):\(position)")
  }

  private func conventionStep(
    _ name: String, service: EffectiveConfiguration.Service?, at now: Timestamp
  ) -> Step {
    guard let service else {
      return Step(
        source: .convention,
        note:
          "'\(name)' is not a known service and has no services.\(name) entry, so no default port or scheme"
      )
    }
    guard case .convention(let rule)? = service.hostOrigin else {
      return Step(
        source: .convention,
        note: service.host == nil
          ? "no convention for \(configuration.mode) mode (set deployment.domain)"
          : "not needed: the host is configured")
    }
    return single(.convention, service: service, at: now, origin: rule)
  }

  private func single(
    _ source: ResolutionSource, service: EffectiveConfiguration.Service, at now: Timestamp,
    origin: String
  ) -> Step {
    guard let url = Self.url(of: service) else {
      return Step(
        source: source,
        note:
          "\(origin) gives \(service.missing ?? "no URL"): set services.\(service.name).port and scheme"
      )
    }
    if let why = circuitRefusal(Self.key(of: url), at: now) {
      return Step(
        source: source, openCircuits: [url.description], note: "\(url) (\(origin)): \(why)")
    }
    return Step(
      source: source, candidates: [Candidate(url: url, label: url.description)],
      note: "\(url) (\(origin))")
  }

  private static func url(of service: EffectiveConfiguration.Service) -> ServiceURL? {
    guard let scheme = service.scheme, let host = service.host, let port = service.port else {
      return nil
    }
    return ServiceURL(scheme: scheme, host: host, port: port)
  }

  /// Why the breaker at `key` refuses a call now, or nil if it allows one.
  private func circuitRefusal(_ key: HostAndPort, at now: Timestamp) -> String? {
    guard refuses(key, at: now), let breaker = histories[key]?.breaker else { return nil }
    switch breaker.state(at: now) {
    case .open:
      let left = breaker.reopensAt.map { $0.nanoseconds(since: now) } ?? 0
      let seconds = (Double(max(left, 0)) / 1e9).rounded(.up)
      return
        "circuit open after \(breaker.consecutiveFailures) failures, half-open in \(Int(seconds))s"
    case .halfOpen, .closed:
      return "circuit half-open, its one trial call is out"
    }
  }
}
