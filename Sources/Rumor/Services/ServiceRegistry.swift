import FoundationEssentials
import RumorCore
import RumorDiscovery
import Synchronization

/// Where services are: the product brief's service registry, answered from
/// this process's own gossip view, its configuration and its environment.
///
/// ```swift
/// let registry = try ServiceRegistry(node: node)
/// let redis = try registry.url(for: "redis")            // redis://10.0.0.7:6379
/// let api = try registry.url(for: "ai-stack", path: "/api/process")
/// ```
///
/// A lookup reads an immutable snapshot: it never waits on the network or
/// on the protocol thread. The node publishes a new member snapshot on each
/// change; the first lookup after it rebuilds the service catalog, the
/// others reuse it.
public final class ServiceRegistry: Sendable {
  /// The node whose gossip view is read; nil for a registry that answers
  /// from the environment and configuration alone.
  public let node: RumorNode?
  /// The configuration in effect.
  public let configuration: EffectiveConfiguration

  private struct State {
    var resolver: ServiceResolver
    var catalog = ServiceCatalog()
    var catalogVersion: UInt64?
  }

  private let state: SleepingLock<State>
  /// A fixed view, for a registry over what some peer reported.
  private let snapshot: ServiceCatalog?

  /// A registry over `configuration` (see `ConfigurationLoader`) and, if
  /// given, `node`'s gossip view. `variables` answers `<NAME>_HOST` for
  /// services the configuration does not know.
  public convenience init(
    configuration: EffectiveConfiguration, node: RumorNode? = nil,
    variables: [String: String] = ProcessInfo.processInfo.environment,
    breakerSettings: CircuitBreaker.Settings = CircuitBreaker.Settings()
  ) {
    self.init(
      configuration: configuration, node: node, snapshot: nil, variables: variables,
      breakerSettings: breakerSettings)
  }

  /// A registry over a fixed view of the cluster (`members`, as a peer
  /// reported them) instead of a running node's: what `rumor resolve
  /// --peer` uses.
  public convenience init(
    configuration: EffectiveConfiguration, members: [Member],
    variables: [String: String] = ProcessInfo.processInfo.environment,
    breakerSettings: CircuitBreaker.Settings = CircuitBreaker.Settings()
  ) {
    self.init(
      configuration: configuration, node: nil, snapshot: ServiceCatalog(members: members),
      variables: variables, breakerSettings: breakerSettings)
  }

  private init(
    configuration: EffectiveConfiguration, node: RumorNode?, snapshot: ServiceCatalog?,
    variables: [String: String], breakerSettings: CircuitBreaker.Settings
  ) {
    self.node = node
    self.configuration = configuration
    self.snapshot = snapshot
    state = SleepingLock(
      State(
        resolver: ServiceResolver(
          configuration: configuration, variables: variables, breakerSettings: breakerSettings)))
  }

  /// A registry configured from this process's environment: the file
  /// named by `RUMOR_CONFIG` if set, the variables over it, the mode
  /// detected. Throws the configuration's errors, with their positions.
  public convenience init(node: RumorNode? = nil) throws {
    let host = HostEnvironment.current()
    try self.init(
      configuration: ConfigurationLoader.effective(file: nil, host: host), node: node,
      variables: host.variables)
  }

  // MARK: Resolving

  /// The URL of a healthy instance of `name`, with `path` appended
  /// (DESIGN.md's resolution order). Throws, naming the service and what
  /// each step found, when there is none.
  public func url(for name: String, path: String = "") throws(ResolutionError) -> String {
    let now = Self.now()
    // The common answers (the environment, a healthy gossip instance)
    // take the fast path; the rest need `resolve`'s full walk anyway.
    if let url = quickURL(name, path: path, at: now) { return url }
    return try resolve(name, path: path).url.description
  }

  /// `ServiceResolver.quickURL` on the current catalog: one lock, held for
  /// a few hundred nanoseconds, when the cached catalog is current; a
  /// rebuild first when the node published a new snapshot.
  private func quickURL(_ name: String, path: String, at now: Timestamp) -> String? {
    guard let node else {
      return state.withLock { $0.resolver.quickURL(name, path: path, catalog: snapshot, at: now) }
    }
    let version = node.snapshotVersion
    let current: String?? = state.withLock { state in
      guard state.catalogVersion == version else { return .none }
      return .some(state.resolver.quickURL(name, path: path, catalog: state.catalog, at: now))
    }
    if let current { return current }
    let catalog = currentCatalog()
    return state.withLock { $0.resolver.quickURL(name, path: path, catalog: catalog, at: now) }
  }

  /// Like `url(for:path:)`, with which step answered, the instance and
  /// the explanation of every step.
  public func resolve(_ name: String, path: String = "") throws(ResolutionError) -> Resolution {
    let now = Self.now()
    let catalog = currentCatalog()
    return try state.withLock { state throws(ResolutionError) in
      try state.resolver.resolve(name, path: path, catalog: catalog, at: now)
    }
  }

  /// An eligible instance other than the primary one, to fail over to.
  public func backupURL(for name: String, path: String = "") throws(ResolutionError) -> String {
    let now = Self.now()
    let catalog = currentCatalog()
    return try state.withLock { state throws(ResolutionError) in
      try state.resolver.backup(name, path: path, catalog: catalog, at: now).url.description
    }
  }

  /// Every service instance in the gossip view, by service.
  public var catalog: ServiceCatalog { currentCatalog() ?? ServiceCatalog() }

  // MARK: Outcomes

  /// Tells the registry a call to `url` (as returned by `url(for:)`)
  /// failed; five in a row open its circuit and it is skipped for a
  /// minute (the brief's breaker; see `CircuitBreaker.Settings`). URLs
  /// that do not parse are ignored.
  public func reportFailure(_ url: String) {
    guard let parsed = try? ServiceURL(parsing: url) else { return }
    let now = Self.now()
    state.withLock { $0.resolver.recordFailure(of: parsed, at: now) }
  }

  /// Tells the registry a call to `url` succeeded: its circuit closes.
  public func reportSuccess(_ url: String) {
    guard let parsed = try? ServiceURL(parsing: url) else { return }
    state.withLock { $0.resolver.recordSuccess(of: parsed) }
  }

  /// The circuit breaker of the instance at `url`.
  public func breaker(for url: String) -> CircuitBreaker? {
    guard let parsed = try? ServiceURL(parsing: url) else { return nil }
    return state.withLock { $0.resolver.breaker(of: parsed) }
  }

  // MARK: Health

  /// Resolves `name` and checks that instance now (Redis PING, HTTP GET
  /// of the service's health path, or TCP connect) within the service's
  /// configured timeout, feeding the result to its circuit breaker.
  public func checkHealth(of name: String) async -> ServiceHealthReport {
    let resolution: Resolution
    do {
      resolution = try resolve(name)
    } catch {
      return ServiceHealthReport(
        service: name, status: error.openCircuits.isEmpty ? .unknown : .circuitOpen,
        error: error.description)
    }
    var base = resolution.url
    base.path = ""
    var check = HealthCheck.standard(forService: name, url: base)
    // The service's configured call timeout (services.<name>.timeout)
    // bounds the probe too: a check must not wait longer than a call would.
    if let timeout = configuration.service(named: name)?.timeout { check.timeout = timeout }
    let result = await HealthProbe.run(check, host: base.host, port: base.port)
    if result.passed {
      reportSuccess(base.description)
    } else {
      reportFailure(base.description)
    }
    return ServiceHealthReport(
      service: name, status: result.passed ? .healthy : .unhealthy,
      responseTime: result.responseTime, error: result.error, url: base,
      node: resolution.instance?.node, source: resolution.source)
  }

  /// Checks every service this registry knows of (the known services, the
  /// configured ones and those in the gossip view), concurrently.
  public func checkAllHealth() async -> [String: ServiceHealthReport] {
    await withTaskGroup(of: ServiceHealthReport.self) { group in
      for name in serviceNames {
        group.addTask { await self.checkHealth(of: name) }
      }
      var reports: [String: ServiceHealthReport] = [:]
      for await report in group { reports[report.service] = report }
      return reports
    }
  }

  /// The known and configured services, then any others the gossip view
  /// has, without repeats.
  public var serviceNames: [String] {
    var names = configuration.services.map(\.name)
    for pool in configuration.loadBalancers where !names.contains(pool.name) {
      names.append(pool.name)
    }
    for name in catalog.services where !names.contains(name) { names.append(name) }
    return names
  }

  // MARK: Snapshot

  /// The gossip view: the node's, the fixed snapshot, or nil for none.
  private func currentCatalog() -> ServiceCatalog? {
    guard let node else { return snapshot }
    let version = node.snapshotVersion
    if let cached = state.withLock({ $0.catalogVersion == version ? $0.catalog : nil }) {
      return cached
    }
    // Built outside the lock: a slow rebuild must not hold up lookups
    // that still have a usable catalog.
    let catalog = ServiceCatalog(members: node.members)
    state.withLock { state in
      if state.catalogVersion.map({ $0 < version }) ?? true {
        state.catalog = catalog
        state.catalogVersion = version
      }
    }
    return catalog
  }

  private static func now() -> Timestamp {
    Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
  }

  // MARK: Shared

  private static let sharedSlot = Mutex<ServiceRegistry?>(nil)

  /// The registry `serviceURL(_:path:)` uses: the one installed with
  /// `share()`, else one made from the environment on first use.
  public static func shared() throws -> ServiceRegistry {
    if let registry = sharedSlot.withLock({ $0 }) { return registry }
    let made = try ServiceRegistry()
    return sharedSlot.withLock { slot in
      if let existing = slot { return existing }
      slot = made
      return made
    }
  }

  /// Makes this registry the one `serviceURL(_:path:)` uses (typically
  /// one with the process's node).
  public func share() {
    Self.sharedSlot.withLock { $0 = self }
  }
}

/// The URL of a healthy instance of `name` with `path` appended, from the
/// shared registry: the counterpart of the brief's `get_service_url`.
///
/// ```swift
/// let redis = try serviceURL("redis")                  // redis://localhost:6379
/// let ai = try serviceURL("ai-stack", path: "/api/process")
/// ```
public func serviceURL(_ name: String, path: String = "") throws -> String {
  try ServiceRegistry.shared().url(for: name, path: path)
}
