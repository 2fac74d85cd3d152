import RumorCore

/// Answers `url(for: name, path:)` in DESIGN.md's order, from values it is
/// handed: the effective configuration, the environment, a catalog of the
/// gossip view and the time. It keeps the strategies' cursors and shares
/// the per-instance circuit breakers (`breakers`) with its copies; it does
/// no IO, so every rule is tested on fake time.
///
/// 1. `<NAME>_HOST` (with `<NAME>_PORT`): the operator pinned the service;
///    used as is, breakers do not apply.
/// 2. Gossip: instances whose member is alive, whose health is `passing`
///    (`warning` only when nothing passes) and whose circuit is not open,
///    picked by the service's strategy.
/// 3. The file: `load_balancers.<name>` (picked by its strategy, open
///    circuits skipped), else `services.<name>.host`.
/// 4. The mode's convention for the host, with the known port and scheme.
///
/// `url`, `resolve` and `primary` make their choice with one function,
/// `choose`; `resolve` then explains it.
public struct ServiceResolver: Sendable {
  /// The configuration steps 1, 3 and 4 read.
  public let configuration: EffectiveConfiguration
  /// The environment, for `<NAME>_HOST` of services the configuration does
  /// not know.
  public let variables: [String: String]
  /// The breakers' settings.
  public var breakerSettings: CircuitBreaker.Settings { breakers.settings }
  /// The circuit breakers, shared with every copy of this resolver.
  public let breakers: BreakerBoard
  private var picker: InstancePicker
  /// Where the `nearest` strategy gets round-trip estimates: called once
  /// per pick of a `nearest` service, it returns the estimate to each
  /// member by name (nil when unknown). Nil: no estimates, and `nearest`
  /// goes round robin.
  public var roundTrips: (@Sendable () -> @Sendable (String) -> Duration?)?
  /// The answers given by `url`, `endpoint` and `resolve`, by source.
  public private(set) var answers = ResolutionCounts()
  /// Step 1's answers, fixed by the configuration: looked up, not rebuilt,
  /// on every call.
  private let environmentURLs: [String: Fixed]
  /// Steps 3 and 4's candidates, fixed by the configuration, by service.
  private let fallbacks: [String: [FixedStep]]
  /// Each load-balanced service's strategy (round robin for the others).
  private let strategies: [String: LoadBalancingStrategy]

  /// A URL known from the configuration, with its text.
  private struct Fixed: Sendable {
    var url: ServiceURL
    var text: String
    var key: HostAndPort

    init(_ url: ServiceURL) {
      self.url = url
      text = url.description
      key = ServiceResolver.key(of: url)
    }
  }

  /// Step 3's or step 4's candidates before breakers are applied.
  private struct FixedStep: Sendable {
    var source: ResolutionSource
    var strategy: LoadBalancingStrategy
    var candidates: [Fixed]
  }

  /// What `choose` picked.
  private struct Choice {
    var source: ResolutionSource
    var url: ServiceURL
    var text: String
    var instance: ServiceInstance?
    /// How many eligible candidates the step had.
    var among: Int
    var strategy: LoadBalancingStrategy

    var key: HostAndPort { ServiceResolver.key(of: url) }
    var label: String { instance.map { "\($0.node) (\($0.url))" } ?? url.description }
  }

  /// A resolver; `seed` drives the `random` and `least_failures` choices.
  /// `breakers` lets several resolvers (one per lane of a registry) share
  /// their circuit breakers.
  public init(
    configuration: EffectiveConfiguration, variables: [String: String] = [:],
    breakerSettings: CircuitBreaker.Settings = CircuitBreaker.Settings(),
    breakers: BreakerBoard? = nil,
    seed: UInt64 = UInt64.random(in: .min ... .max)
  ) {
    self.configuration = configuration
    self.variables = variables
    self.breakers = breakers ?? BreakerBoard(settings: breakerSettings)
    picker = InstancePicker(seed: seed)
    var environmentURLs: [String: Fixed] = [:]
    for service in configuration.services {
      if case .environment? = service.hostOrigin, let url = Self.url(of: service) {
        environmentURLs[service.name] = Fixed(url)
      }
    }
    self.environmentURLs = environmentURLs
    var strategies: [String: LoadBalancingStrategy] = [:]
    for pool in configuration.loadBalancers where strategies[pool.name] == nil {
      strategies[pool.name] = pool.strategy
    }
    self.strategies = strategies
    var fallbacks: [String: [FixedStep]] = [:]
    var names = configuration.services.map(\.name)
    names += configuration.loadBalancers.map(\.name)
    for name in names where fallbacks[name] == nil {
      fallbacks[name] = Self.fixedSteps(name, configuration: configuration)
    }
    self.fallbacks = fallbacks
  }

  /// Steps 3 and 4 for `name`, as `configurationStep` and `conventionStep`
  /// describe them.
  private static func fixedSteps(_ name: String, configuration: EffectiveConfiguration)
    -> [FixedStep]
  {
    let service = configuration.service(named: name)
    var steps: [FixedStep] = []
    if let pool = configuration.loadBalancers.first(where: { $0.name == name }),
      !pool.hosts.isEmpty
    {
      let scheme = service?.scheme ?? "http"
      steps.append(
        FixedStep(
          source: .configuration, strategy: pool.strategy,
          candidates: pool.hosts.map {
            Fixed(ServiceURL(scheme: scheme, host: $0.host, port: $0.port))
          }))
    } else if let service, case .file? = service.hostOrigin, let url = Self.url(of: service) {
      steps.append(FixedStep(source: .configuration, strategy: .first, candidates: [Fixed(url)]))
    }
    if let service, case .convention? = service.hostOrigin, let url = Self.url(of: service) {
      steps.append(FixedStep(source: .convention, strategy: .first, candidates: [Fixed(url)]))
    }
    return steps
  }

  /// Starts the `random` and `least_failures` choices from `seed`, and
  /// every round-robin cursor from the start: a registry gives each of its
  /// lanes a copy of one resolver, reseeded.
  public mutating func reseed(_ seed: UInt64) {
    picker = InstancePicker(seed: seed)
  }

  // MARK: Choosing

  /// The one choice behind every answer: the first step with an eligible
  /// candidate, and the candidate its strategy picks. `peek` takes the
  /// step's primary (its first candidate) and moves no cursor: what a
  /// watcher follows.
  private mutating func choose(
    _ name: String, catalog: ServiceCatalog?, at now: Timestamp, peek: Bool = false,
    excluding excluded: Set<HostAndPort> = [], choices given: ServiceCatalog.Choices? = nil
  ) -> Choice? {
    if let fixed = environmentURLs[name] {
      return Choice(
        source: .environment, url: fixed.url, text: fixed.text, among: 1, strategy: .first)
    }
    // One copy of the histories per choice, and none while every breaker
    // is closed and no failure counts (the usual case).
    let histories = breakers.isQuiet ? nil : breakers.histories
    let filters = histories != nil || !excluded.isEmpty
    func refuses(_ key: HostAndPort) -> Bool {
      if excluded.contains(key) { return true }
      guard let breaker = histories?[key]?.breaker else { return false }
      return !breaker.wouldAllowRequest(at: now)
    }
    if let choices = given ?? catalog?.choices[name] {
      var instances = choices.passing.isEmpty ? choices.warning : choices.passing
      var texts = choices.passing.isEmpty ? choices.warningURLs : choices.passingURLs
      if filters {
        // Leave out the instances whose breaker refuses (or that the
        // caller already tried), before choosing between passing and
        // warning ones.
        let open = { (instance: ServiceInstance) in refuses(Self.key(of: instance.url)) }
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
      if !instances.isEmpty {
        let strategy = strategies[name] ?? .roundRobin
        // One snapshot of the coordinates per pick, only for `nearest`.
        let estimate = strategy == .nearest && !peek ? roundTrips?() : nil
        let index =
          picker.pick(
            among: instances.count, service: name, strategy: peek ? .first : strategy,
            failures: {
              histories?[Self.key(of: instances[$0].url)]?.recentFailures(at: now) ?? 0
            },
            roundTrip: { estimate?(instances[$0].node) }) ?? 0
        return Choice(
          source: .gossip, url: instances[index].url, text: texts[index],
          instance: instances[index], among: instances.count, strategy: strategy)
      }
    }
    for step in fallbacks[name] ?? [] {
      let candidates =
        filters ? step.candidates.filter { !refuses($0.key) } : step.candidates
      guard !candidates.isEmpty else { continue }
      let index =
        picker.pick(
          among: candidates.count, service: name, strategy: peek ? .first : step.strategy,
          failures: { histories?[candidates[$0].key]?.recentFailures(at: now) ?? 0 }) ?? 0
      return Choice(
        source: step.source, url: candidates[index].url, text: candidates[index].text,
        among: candidates.count, strategy: step.strategy)
    }
    return nil
  }

  /// Claims the half-open trial of the chosen instance, if its breaker is
  /// half-open (the environment's answers have no breaker).
  private func claim(_ choice: Choice, at now: Timestamp) {
    guard choice.source != .environment, !breakers.isQuiet else { return }
    breakers.withHistories(at: now) { _ = $0[choice.key]?.breaker.allowsRequest(at: now) }
  }

  /// Whether the breaker at `key` refuses a call now.
  private func refuses(_ key: HostAndPort, at now: Timestamp) -> Bool {
    guard let breaker = breakers.history(of: key)?.breaker else { return false }
    return !breaker.wouldAllowRequest(at: now)
  }

  // MARK: Resolving

  /// The URL text for `name` with `path` appended: `resolve`'s choice
  /// without its explanation, for the hot path. Claims the half-open
  /// trial of the instance it returns, if any.
  /// `choices`, when given, stands for `catalog.choices[name]` (a
  /// registry's lane passes its own copy).
  public mutating func url(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp,
    choices: ServiceCatalog.Choices? = nil
  ) throws(ResolutionError) -> String {
    guard let choice = choose(name, catalog: catalog, at: now, choices: choices) else {
      answers.unanswered &+= 1
      throw failure(name, catalog: catalog, at: now)
    }
    answers.record(choice.source)
    claim(choice, at: now)
    return path.isEmpty ? choice.text : Self.appending(path, to: choice.url).description
  }

  /// `url`'s choice as a typed endpoint, leaving out the instances in
  /// `excluded` (those a caller already tried): what failing over asks.
  /// Claims the half-open trial of the instance it returns, if any.
  public mutating func endpoint(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp,
    excluding excluded: Set<HostAndPort> = []
  ) throws(ResolutionError) -> (url: ServiceURL, source: ResolutionSource) {
    guard let choice = choose(name, catalog: catalog, at: now, excluding: excluded) else {
      answers.unanswered &+= 1
      var error = failure(name, catalog: catalog, at: now)
      if !excluded.isEmpty {
        error.tried.append(
          "already tried: "
            + excluded.map { "\($0.host):\($0.port)" }.sorted().joined(separator: ", "))
      }
      throw error
    }
    answers.record(choice.source)
    claim(choice, at: now)
    return (Self.appending(path, to: choice.url), choice.source)
  }

  /// The key breakers and `endpoint(excluding:)` know an instance by.
  public static func instanceKey(of url: ServiceURL) -> HostAndPort { key(of: url) }

  /// The URL for `name` with `path` appended, and how it was found.
  /// `catalog` is the gossip view (nil when there is none: no node).
  /// Claims the half-open trial of the instance it returns, if any.
  public mutating func resolve(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp
  ) throws(ResolutionError) -> Resolution {
    guard let choice = choose(name, catalog: catalog, at: now) else {
      answers.unanswered &+= 1
      throw failure(name, catalog: catalog, at: now)
    }
    answers.record(choice.source)
    // Explained before the claim, which would make a half-open choice
    // read as "its one trial call is out".
    let resolution = explained(choice, name: name, path: path, catalog: catalog, at: now)
    claim(choice, at: now)
    return resolution
  }

  /// What a watcher of `name` follows: the primary of the step that
  /// answers (its first eligible candidate; no cursor moves, no trial is
  /// claimed), explained.
  public mutating func primary(
    _ name: String, path: String = "", catalog: ServiceCatalog?, at now: Timestamp
  ) throws(ResolutionError) -> Resolution {
    guard let choice = choose(name, catalog: catalog, at: now, peek: true) else {
      throw failure(name, catalog: catalog, at: now)
    }
    return explained(choice, name: name, path: path, catalog: catalog, at: now)
  }

  /// The resolution of `choice`, with one line per step tried.
  private func explained(
    _ choice: Choice, name: String, path: String, catalog: ServiceCatalog?, at now: Timestamp
  ) -> Resolution {
    var explanation: [String] = []
    for step in plan(name, catalog: catalog, at: now) {
      guard step.source == choice.source, !step.candidates.isEmpty else {
        explanation.append(step.line)
        continue
      }
      // A step with one candidate already names it in its line.
      explanation.append(
        choice.among > 1
          ? step.line + "; chose \(choice.label) by \(choice.strategy) among \(choice.among)"
          : step.source == .gossip ? step.line + "; chose \(choice.label)" : step.line)
      break
    }
    return Resolution(
      service: name, url: Self.appending(path, to: choice.url), source: choice.source,
      instance: choice.instance, explanation: explanation)
  }

  /// Why nothing answers `name`: every step's line.
  private func failure(_ name: String, catalog: ServiceCatalog?, at now: Timestamp)
    -> ResolutionError
  {
    let steps = plan(name, catalog: catalog, at: now)
    return ResolutionError(
      service: name, tried: steps.map(\.line), openCircuits: steps.flatMap(\.openCircuits))
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
    if step.source != .environment, !breakers.isQuiet {
      breakers.withHistories(at: now) { _ = $0[candidate.key]?.breaker.allowsRequest(at: now) }
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
  public func recordFailure(of url: ServiceURL, at now: Timestamp) {
    let key = Self.key(of: url)
    let settings = breakers.settings
    breakers.withHistories(at: now) {
      $0[key, default: InstanceHistory(settings: settings)].recordFailure(at: now)
    }
  }

  /// A call to `url` succeeded: its breaker closes.
  public func recordSuccess(of url: ServiceURL, at now: Timestamp) {
    guard !breakers.isQuiet else { return }
    breakers.withHistories(at: now) { $0[Self.key(of: url)]?.recordSuccess() }
  }

  /// The breaker of the instance at `url`'s host and port.
  public func breaker(of url: ServiceURL) -> CircuitBreaker {
    breakers.history(of: Self.key(of: url))?.breaker
      ?? CircuitBreaker(settings: breakers.settings)
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
    guard refuses(key, at: now), let breaker = breakers.history(of: key)?.breaker else {
      return nil
    }
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
