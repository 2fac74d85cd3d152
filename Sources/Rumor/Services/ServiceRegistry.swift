import FoundationEssentials
import RumorCore
import RumorDiscovery
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Where services are: the product brief's service registry, answered from
/// this process's own gossip view, its configuration and its environment.
///
/// ```swift
/// let registry = try ServiceRegistry(node: node)
/// let redis = try registry.url(for: "redis")            // redis://10.0.0.7:6379
/// let api = try registry.url(for: "ai-stack", path: "/api/process")
/// ```
///
/// A lookup never waits on the network, on the protocol thread or on
/// other callers: the node's own thread keeps the service catalog up to
/// date and publishes it with each membership snapshot, and each calling
/// thread picks from it in its own lane (its own lock, round-robin cursor
/// and random generator), so lookups on many threads do not queue on one
/// lock. The circuit breakers are shared, and read without a lock while
/// none has anything to say.
public final class ServiceRegistry: Sendable {
  /// The node whose gossip view is read; nil for a registry that answers
  /// from the environment and configuration alone.
  public let node: RumorNode?
  /// The configuration in effect.
  public let configuration: EffectiveConfiguration

  /// One caller's lookup state: its resolver (cursors, generator) and the
  /// catalog it last took from the node.
  private struct LaneState {
    var resolver: ServiceResolver
    var catalog: ServiceCatalog?
    var version: UInt64?
    /// The services looked up in this lane since the catalog changed,
    /// with choices in storage of the lane's own: the lane's lookups
    /// touch no reference count another lane touches.
    var choices: [String: ServiceCatalog.Choices] = [:]

    /// `name`'s choices, copied into the lane on first use.
    mutating func ownChoices(of name: String) -> ServiceCatalog.Choices? {
      if let own = choices[name] { return own }
      guard let shared = catalog?.choices[name] else { return nil }
      let own = shared.privateCopy()
      choices[ServiceCatalog.privateCopy(name)] = own
      return own
    }
  }

  /// Lanes, chosen by the calling thread.
  private let lanes: [SleepingLock<LaneState>]
  /// The lanes' common resolver, for what needs no lane: recording
  /// outcomes on the breakers they all share.
  private let outcomes: ServiceResolver
  /// A fixed view, for a registry over what some peer reported.
  private let snapshot: ServiceCatalog?
  /// Where the catalog comes from: the node's thread, or for benchmarks a
  /// feed of their own.
  private let feed: CatalogFeed?
  /// Each watcher's wake-up stream, kicked when an outcome is reported.
  let watchers = Mutex(Subscribers<Void>())
  /// How many watchers there are: reporting an outcome takes the
  /// watchers' lock only when there is one.
  let watcherCount = Atomic<Int>(0)
  /// The breakers, for watchers that look again while one is open.
  var outcomesBoard: BreakerBoard { outcomes.breakers }

  /// How many lanes a registry has: enough that threads rarely share one.
  static let laneCount = 16

  /// A registry over `configuration` (see `ConfigurationLoader`) and, if
  /// given, `node`'s gossip view. `variables` answers `<NAME>_HOST` for
  /// services the configuration does not know.
  public convenience init(
    configuration: EffectiveConfiguration, node: RumorNode? = nil,
    variables: [String: String] = ProcessInfo.processInfo.environment,
    breakerSettings: CircuitBreaker.Settings = CircuitBreaker.Settings()
  ) {
    self.init(
      configuration: configuration, node: node, feed: node?.catalogFeed, snapshot: nil,
      variables: variables, breakerSettings: breakerSettings)
  }

  /// A registry over the catalogs published to `feed`: how a benchmark
  /// times lookups over a changing catalog without a cluster.
  package convenience init(
    configuration: EffectiveConfiguration, feed: CatalogFeed, variables: [String: String]
  ) {
    self.init(
      configuration: configuration, node: nil, feed: feed, snapshot: nil, variables: variables,
      breakerSettings: CircuitBreaker.Settings())
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
      configuration: configuration, node: nil, feed: nil,
      snapshot: ServiceCatalog(members: members), variables: variables,
      breakerSettings: breakerSettings)
  }

  private init(
    configuration: EffectiveConfiguration, node: RumorNode?, feed: CatalogFeed?,
    snapshot: ServiceCatalog?, variables: [String: String],
    breakerSettings: CircuitBreaker.Settings
  ) {
    self.node = node
    self.feed = feed
    self.configuration = configuration
    self.snapshot = snapshot
    let breakers = BreakerBoard(settings: breakerSettings)
    var seeds = SystemRandomNumberGenerator()
    var resolver = ServiceResolver(
      configuration: configuration, variables: variables, breakers: breakers,
      seed: seeds.next())
    if let node {
      // Weak: a registry must not keep its node alive.
      resolver.roundTrips = { [weak node] in node?.roundTripEstimates() ?? { _ in nil } }
    }
    outcomes = resolver
    lanes = (0..<Self.laneCount).map { _ in
      var own = resolver
      own.reseed(seeds.next())
      return SleepingLock(LaneState(resolver: own, catalog: snapshot))
    }
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
    return try withLane { lane throws(ResolutionError) in
      let choices = lane.ownChoices(of: name)
      return try lane.resolver.url(
        name, path: path, catalog: lane.catalog, at: now, choices: choices)
    }
  }

  /// Like `url(for:path:)`, with which step answered, the instance and
  /// the explanation of every step.
  public func resolve(_ name: String, path: String = "") throws(ResolutionError) -> Resolution {
    let now = Self.now()
    let resolution = try withLane { lane throws(ResolutionError) in
      try lane.resolver.resolve(name, path: path, catalog: lane.catalog, at: now)
    }
    return aged(resolution, at: now)
  }

  /// An eligible instance other than the primary one, to fail over to.
  public func backupURL(for name: String, path: String = "") throws(ResolutionError) -> String {
    let now = Self.now()
    return try withLane { lane throws(ResolutionError) in
      try lane.resolver.backup(name, path: path, catalog: lane.catalog, at: now).url.description
    }
  }

  /// The primary instance of `name`, with `path` appended: the first
  /// eligible one in resolution order, which `backupURL(for:path:)` is the
  /// alternative to and a watcher (`watch`) follows. Unlike
  /// `resolve(_:path:)` it moves no load-balancing cursor and claims no
  /// circuit breaker's trial call, so asking does not change what the
  /// next `url(for:path:)` returns. Throws as `resolve(_:path:)` does.
  public func primary(_ name: String, path: String = "") throws(ResolutionError) -> Resolution {
    let now = Self.now()
    let resolution = try withLane { lane throws(ResolutionError) in
      try lane.resolver.primary(name, path: path, catalog: lane.catalog, at: now)
    }
    return aged(resolution, at: now)
  }

  /// `resolution` with its age: zero for the environment and the files;
  /// for gossip, the time since the instance's state was confirmed, the
  /// later of its last change and the node's last contact with the
  /// cluster. Unknown for a view a peer reported (its times are on the
  /// peer's clock).
  private func aged(_ resolution: Resolution, at now: Timestamp) -> Resolution {
    var resolution = resolution
    switch resolution.source {
    case .environment, .configuration, .convention:
      resolution.age = .zero
    case .gossip:
      guard let node, let instance = resolution.instance else { return resolution }
      let confirmed = max(instance.stateChanged, node.lastContact ?? .zero)
      resolution.age = max(.zero, now - confirmed)
    }
    return resolution
  }

  /// The answers this registry gave (`url`, `endpoint`, `resolve` and
  /// `withInstance`), by the step that answered, summed over its lanes.
  public var resolutionCounts: ResolutionCounts {
    var total = ResolutionCounts()
    for lane in lanes { total.add(lane.withLock { $0.resolver.answers }) }
    return total
  }

  /// Every service instance in the gossip view, by service.
  public var catalog: ServiceCatalog { feed?.latest.catalog ?? snapshot ?? ServiceCatalog() }

  /// Runs `body` in the calling thread's lane, with the node's latest
  /// catalog: taken from the node only when it published a new one (one
  /// atomic load tells).
  private func withLane<Result>(
    _ body: (inout LaneState) throws(ResolutionError) -> Result
  ) throws(ResolutionError) -> Result {
    let lane = lanes[Self.laneIndex()]
    let version = feed?.version
    return try lane.withLock { lane throws(ResolutionError) in
      if let feed, lane.version != version {
        let (catalog, published) = feed.latest
        if let old = lane.catalog { feed.retire(old) }
        lane.catalog = catalog
        lane.choices.removeAll()
        lane.version = published
      }
      return try body(&lane)
    }
  }

  /// The calling thread's lane: its thread handle, mixed.
  private static func laneIndex() -> Int {
    var mixed = UInt64(truncatingIfNeeded: UInt(bitPattern: Int(bitPattern: pthread_self())))
    mixed = (mixed ^ (mixed >> 31)) &* 0x7FB5_D329_728E_A185
    mixed ^= mixed >> 27
    return Int(mixed % UInt64(laneCount))
  }

  /// `url(for:path:)` as a typed endpoint (scheme, host, port, path).
  public func endpoint(for name: String, path: String = "") throws(ResolutionError)
    -> ServiceURL
  {
    try endpoint(for: name, path: path, excluding: []).url
  }

  /// The endpoint of `name`, leaving out the instances in `excluded`.
  func endpoint(for name: String, path: String, excluding excluded: Set<HostAndPort>)
    throws(ResolutionError) -> (url: ServiceURL, source: ResolutionSource)
  {
    let now = Self.now()
    return try withLane { lane throws(ResolutionError) in
      try lane.resolver.endpoint(
        name, path: path, catalog: lane.catalog, at: now, excluding: excluded)
    }
  }

  // MARK: Outcomes

  /// Tells the registry a call to `endpoint` failed; five in a row open
  /// its circuit and it is skipped for a minute (the brief's breaker; see
  /// `CircuitBreaker.Settings`). Breakers are per host and port.
  public func reportFailure(_ endpoint: ServiceURL) {
    outcomes.recordFailure(of: endpoint, at: Self.now())
    wakeWatchers()
  }

  /// Tells the registry a call to `endpoint` succeeded: its circuit
  /// closes.
  public func reportSuccess(_ endpoint: ServiceURL) {
    outcomes.recordSuccess(of: endpoint, at: Self.now())
    wakeWatchers()
  }

  /// `reportFailure` for a URL as `url(for:)` returned it. Throws when
  /// `url` is not a URL, rather than count nothing without a word.
  public func reportFailure(_ url: String) throws(InvalidValue) {
    reportFailure(try ServiceURL(parsing: url))
  }

  /// `reportSuccess` for a URL as `url(for:)` returned it. Throws when
  /// `url` is not a URL.
  public func reportSuccess(_ url: String) throws(InvalidValue) {
    reportSuccess(try ServiceURL(parsing: url))
  }

  /// The circuit breaker of the instance at `url`.
  public func breaker(for url: ServiceURL) -> CircuitBreaker {
    outcomes.breaker(of: url)
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
      reportSuccess(base)
    } else {
      reportFailure(base)
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

  // MARK: Time

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
