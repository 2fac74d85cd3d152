import FoundationEssentials
import RumorCore
import RumorDiscovery
import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A running cluster member: sockets, an owner thread, and the SWIM state
/// machine it drives. Many nodes can run in one process.
///
/// From the process's configuration (`RUMOR_CONFIG`, the environment, the
/// detected mode), in one call, and until the task is cancelled:
///
/// ```swift
/// let configuration = try EffectiveConfiguration.current()
/// let node = try await RumorNode.start(configuration: configuration)
/// let registry = ServiceRegistry(configuration: configuration, node: node)
/// let redis = try registry.url(for: "redis")
/// try await node.run()  // leaves gracefully when cancelled
/// ```
///
/// Or by hand:
///
/// ```swift
/// let node = try RumorNode.start(NodeConfiguration(name: "api-1", tags: ["svc.api": "http://:8080"]))
/// try await node.join(["10.0.0.2:7946", "gossip.internal"])
/// for await event in node.events() {
///   print(event)
/// }
/// ```
///
/// The API is safe to use from any thread or task: calls are messages to
/// the owner thread, and `members` is an immutable snapshot it publishes on
/// every change, so reading it never waits on the protocol. A node released
/// without `shutdown` stops its thread and closes its sockets.
public final class RumorNode: Sendable {
  /// The node's name.
  public let name: String
  /// The address other members reach it at.
  public let address: NodeAddress
  /// The address its sockets are bound to.
  public let boundAddress: NodeAddress
  /// The effective configuration the node was started from
  /// (`start(configuration:)`), or nil.
  public let configuration: EffectiveConfiguration?
  private let mailbox: NodeMailbox
  let advertiser: ServiceAdvertiser
  let keyringFile: KeyringPersistence?
  private let logger: NodeLogger
  private let leaveTimeout: Duration
  /// The node's own tasks (logging, joining while alone), cancelled when
  /// it stops; `joining` is cancelled on `leave` too, so that a node that
  /// left does not join again.
  private let tasks = Mutex<(logging: [Task<Void, Never>], joining: Task<Void, Never>?)>(
    ([], nil))

  private init(
    name: String, address: NodeAddress, boundAddress: NodeAddress, mailbox: NodeMailbox,
    advertiser: ServiceAdvertiser, logger: NodeLogger, leaveTimeout: Duration,
    configuration: EffectiveConfiguration?, keyringFile: KeyringPersistence? = nil
  ) {
    self.keyringFile = keyringFile
    self.name = name
    self.address = address
    self.boundAddress = boundAddress
    self.mailbox = mailbox
    self.advertiser = advertiser
    self.logger = logger
    self.leaveTimeout = leaveTimeout
    self.configuration = configuration
  }

  /// A node nobody holds any more stops: its checks and tasks end, and
  /// its thread closes every socket and exits. Others see it fail; call
  /// `run()` or `leave` and `shutdown` to be seen as left.
  deinit {
    cancelTasks()
    advertiser.stop()
    mailbox.submit(.shutdown(done: {}))
  }

  /// Starts a node as the process's configuration says, in one call: binds
  /// `gossip.bind`, advertises the configured services with their checks,
  /// joins `gossip.join` (or `RUMOR_JOIN`) and the mode's conventional
  /// seeds, and keeps trying them while it knows no other member, as
  /// `rumor agent` does (see `JoinSeeds`). A configured seed that does not
  /// answer yet does not stop the start: the node starts alone and keeps
  /// trying.
  ///
  /// ```swift
  /// let node = try await RumorNode.start(configuration: .current())
  /// ```
  ///
  /// `logHandler` receives what the node has to say (see
  /// `RumorLogHandler`); without one it is silent. Throws when an address
  /// is not numeric (`NodeConfigurationError`), the port is taken or the
  /// keys or label are invalid.
  public static func start(
    configuration: EffectiveConfiguration, logHandler: (any RumorLogHandler)? = nil
  ) async throws -> RumorNode {
    var node = try NodeConfiguration(configuration)
    node.logHandler = logHandler
    return try await start(node, joining: JoinSeeds(configuration), from: configuration)
  }

  /// Starts a node and joins the cluster through `seeds`
  /// (`join(_:)`). Throws as `start(_:)` does, or the join's error (the
  /// node is then shut down).
  public static func start(_ configuration: NodeConfiguration, joining seeds: JoinSeeds)
    async throws -> RumorNode
  {
    try await start(configuration, joining: seeds, from: nil)
  }

  private static func start(
    _ configuration: NodeConfiguration, joining seeds: JoinSeeds,
    from effective: EffectiveConfiguration?
  ) async throws -> RumorNode {
    let node = try start(configuration, effective: effective)
    do {
      try await node.join(seeds)
    } catch {
      await node.shutdown()
      throw error
    }
    return node
  }

  /// Binds the sockets and starts the node's thread. Throws if the
  /// configuration is invalid or the port is taken.
  public static func start(_ configuration: NodeConfiguration) throws -> RumorNode {
    try start(configuration, effective: nil)
  }

  private static func start(
    _ configuration: NodeConfiguration, effective: EffectiveConfiguration?
  ) throws -> RumorNode {
    let meta = try SerfTags.encode(
      ServiceAdvertiser.initialTags(baseTags: configuration.tags, services: configuration.services))
    let persistence = configuration.keyringFile.map(KeyringPersistence.init(path:))
    let keys =
      try persistence.map {
        try KeyringPersistence.startingKeys(path: $0.path, given: configuration.keys)
      }
      ?? configuration.keys
    let keyring = keys.isEmpty ? nil : try Keyring(keys: keys)
    try Label.validate(configuration.label)
    let (udp, listener, bound) = try bindSockets(configuration.bind)
    var advertised = configuration.advertise ?? bound
    if configuration.advertise == nil, bound.ipBytes.allSatisfy({ $0 == 0 }),
      let host = NodeAddress(ip: AddressResolver.defaultAdvertiseHost(), port: bound.port)
    {
      advertised = host
    }
    var node: ClusterNode
    let mailbox: NodeMailbox
    var serf = SerfSettings()
    if !configuration.networkCoordinates { serf.coordinates = nil }
    do {
      node = try ClusterNode(
        name: configuration.name, address: advertised, meta: meta, settings: configuration.settings,
        serf: serf, wire: WireOptions(label: configuration.label, keyring: keyring),
        seed: configuration.seed ?? UInt64.random(in: .min ... .max))
      // Written where the key query is handled, so that a failed write is
      // the query's answer, as in Serf.
      if let persistence { node.keyringSaver = { persistence.save($0) } }
      mailbox = try NodeMailbox()
      try OwnerThread.start(name: "rumor-\(configuration.name)") { [node] in
        NodeLoop(
          node: node, mailbox: mailbox, udp: udp, listener: listener, poll: configuration.poll
        ).run()
      }
    } catch {
      close(udp)
      close(listener)
      throw error
    }
    let advertiser = ServiceAdvertiser(
      baseTags: configuration.tags, services: configuration.services, checkHost: advertised.host
    ) { [mailbox] meta, done in
      mailbox.submit(.setMeta(meta, done: done))
    }
    advertiser.startChecks()
    let logger = NodeLogger(handler: configuration.logHandler)
    let started = RumorNode(
      name: configuration.name, address: advertised, boundAddress: bound, mailbox: mailbox,
      advertiser: advertiser, logger: logger, leaveTimeout: configuration.leaveTimeout,
      configuration: effective, keyringFile: persistence)
    let logging = NodeActivityLog.start(
      mailbox: mailbox, logger: logger,
      summaryInterval: configuration.refusedTrafficSummaryInterval)
    started.tasks.withLock { $0.logging = logging }
    return started
  }

  /// Whether `seed` ("host:port") is this node's own address: joining
  /// oneself proves nothing.
  func isOwnAddress(_ seed: String) -> Bool {
    seed == address.description || seed == boundAddress.description
  }

  private func cancelTasks() {
    let (logging, joining) = tasks.withLock { tasks in
      defer { tasks = ([], nil) }
      return tasks
    }
    for task in logging { task.cancel() }
    joining?.cancel()
  }

  // MARK: Lifecycle

  /// Runs until the calling task is cancelled, then leaves gracefully
  /// (others see this node as left, not failed; waiting at most
  /// `NodeConfiguration.leaveTimeout`) and shuts down. Returns at once
  /// after someone else's `shutdown`; throws `NodeStoppedError` when the
  /// node stopped on its own (its event loop could not go on).
  ///
  /// Its shape is swift-service-lifecycle's `Service.run()`, so a node
  /// joins a `ServiceGroup` through a one-line adapter (graceful shutdown
  /// becomes cancellation):
  ///
  /// ```swift
  /// struct RumorService: Service { let node: RumorNode
  ///   func run() async throws { try await cancelWhenGracefulShutdown { try await node.run() } } }
  /// ```
  public func run() async throws {
    // The stream ends when the node stops, or at once when the task is
    // cancelled (AsyncStream's iterator returns nil on cancellation).
    for await _ in mailbox.subscribe() {}
    if !isStopped {
      await leave(timeout: leaveTimeout)
      await shutdown()
      return
    }
    if let failure {
      throw NodeStoppedError(reason: failure)
    }
  }

  /// UDP and TCP on one port; for port 0 the TCP listener picks it and
  /// UDP follows, retrying if that port's UDP side is taken.
  private static func bindSockets(_ bind: NodeAddress) throws(TransportError) -> (
    udp: Int32, listener: Int32, bound: NodeAddress
  ) {
    var attempts = 0
    while true {
      attempts += 1
      let listener = try Sockets.listener(boundTo: bind)
      var bound = Sockets.localAddress(of: listener) ?? bind
      if bind.port != 0 { bound.port = bind.port }
      do {
        let udp = try Sockets.udp(boundTo: bound)
        return (udp, listener, bound)
      } catch {
        close(listener)
        if bind.port != 0 || attempts >= 10 { throw error }
      }
    }
  }

  // MARK: Membership

  /// Joins a cluster through `seeds` ("host:port", "host" for port 7946,
  /// "[v6]:port"); a name joins every address it resolves to. Returns how
  /// many addresses answered; throws when none did.
  @discardableResult
  public func join(_ seeds: [String]) async throws -> Int {
    var addresses: [NodeAddress] = []
    var failures: [String] = []
    for seed in seeds {
      do {
        addresses += try await AddressResolver.resolve(seed, defaultPort: 7946)
      } catch {
        failures.append(error.message)
      }
    }
    guard !addresses.isEmpty else {
      throw JoinError(failures: failures.isEmpty ? ["no seed given"] : failures)
    }
    return try await join(addresses: addresses)
  }

  /// Joins the cluster through `seeds` and keeps it joined: the
  /// configured seeds are tried before this returns (and must answer
  /// when `seeds.mustAnswer`, else this throws; otherwise a failure is
  /// logged), the conventional ones in the background, and all of them
  /// again every `seeds.retryInterval` while this node knows no other
  /// live member, until it leaves or stops. Replaces the retries of an
  /// earlier call.
  public func join(_ seeds: JoinSeeds) async throws {
    try await SeedJoiner.joinConfigured(seeds, node: self, logger: logger)
    let joining = SeedJoiner.retryWhileAlone(seeds, node: self, logger: logger)
    // A node stopped meanwhile ends the task at its next try.
    let earlier = tasks.withLock { tasks in
      defer { tasks.joining = joining }
      return tasks.joining
    }
    earlier?.cancel()
  }

  /// Joins through numeric addresses.
  @discardableResult
  public func join(addresses: [NodeAddress]) async throws -> Int {
    let outcome: Result<Int, JoinError> = await withCheckedContinuation { continuation in
      let accepted = mailbox.submit(.join(addresses, done: { continuation.resume(returning: $0) }))
      if !accepted {
        continuation.resume(returning: .failure(JoinError(failures: ["the node has shut down"])))
      }
    }
    return try outcome.get()
  }

  /// Leaves gracefully: others see this node as left, not failed. Waits
  /// until the news has been gossiped enough, or `timeout`. The node keeps
  /// running (answering probes) until `shutdown`.
  public func leave(timeout: Duration = .seconds(5)) async {
    let joining = tasks.withLock { tasks in
      defer { tasks.joining = nil }
      return tasks.joining
    }
    joining?.cancel()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let accepted = mailbox.submit(.leave(timeout: timeout, done: { continuation.resume() }))
      if !accepted { continuation.resume() }
    }
  }

  /// Declares `member` gone (`serf force-leave`): Serf's leave intent
  /// about it, gossiped to every member. A failed member becomes left,
  /// so that nobody reconnects to it and it is reaped after the
  /// tombstone timeout; an alive one refutes it. With `prune` every
  /// member forgets it at once.
  public func forceLeave(_ member: String, prune: Bool = false) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let accepted = mailbox.submit(
        .forceLeave(member, prune: prune, done: { continuation.resume() }))
      if !accepted { continuation.resume() }
    }
  }

  /// Stops the node: closes every socket and ends the thread and every
  /// event stream; when it returns, the sockets are closed and the port
  /// is free. Others will see it fail (call `leave` first to be seen as
  /// left, or cancel `run()`).
  public func shutdown() async {
    cancelTasks()
    advertiser.stop()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let accepted = mailbox.submit(.shutdown(done: { continuation.resume() }))
      if !accepted { continuation.resume() }
    }
  }

  /// Replaces this node's tags other than those of its advertised
  /// services; they reach the others with its next incarnation. Throws,
  /// changing nothing, when everything would not fit in 512 bytes.
  public func setTags(_ tags: [String: String]) async throws {
    try await advertiser.setBaseTags(tags)
  }

  /// Sets the tags in `set`, then removes those named in `delete`, among
  /// this node's tags other than its services' (`serf tags -set K=V
  /// -delete K`): the others stay. Returns those tags as they are now.
  /// Throws, changing nothing, when everything would not fit in 512
  /// bytes.
  @discardableResult
  public func changeTags(set: [String: String], delete: [String] = []) async throws
    -> [String: String]
  {
    try await advertiser.changeBaseTags(set: set, delete: delete)
  }

  // MARK: Services

  /// Advertises a service this node runs as the tag `svc.<name>` (an
  /// empty host in its URL means this node's address) and, if it has a
  /// check, starts checking it and gossips its health as `health.<name>`.
  /// A service starts critical until its first check passes. Replaces a
  /// service of the same name. Throws, changing nothing, for an invalid
  /// name or when the tags would not fit in the node's 512 bytes of
  /// metadata.
  public func advertise(_ service: AdvertisedService) async throws {
    try await advertiser.add(service)
  }

  /// Stops advertising the service `name`; returns false if it was not
  /// advertised.
  @discardableResult
  public func withdraw(_ name: String) async throws -> Bool {
    try await advertiser.remove(name)
  }

  /// The services this node advertises, with their health and last check.
  public var advertisedServices: [AdvertisedServiceStatus] { advertiser.statuses }

  // MARK: Views

  /// Every member this node knows, itself included, by name: an immutable
  /// snapshot, published on every change.
  public var members: [Member] { mailbox.members }

  /// This node's traffic and protocol counters, at most a second old.
  public var counters: NodeCounters { mailbox.counters }

  /// Everything this node counts, in one snapshot, ready for a metrics
  /// system (see `MetricsSnapshot.samples`).
  public var metrics: MetricsSnapshot {
    var members: [MemberState: Int] = [:]
    for member in mailbox.members { members[member.state, default: 0] += 1 }
    return MetricsSnapshot(
      counters: counters, inboundStreams: inboundStreamCounters, members: members)
  }

  /// This node's network coordinate (Serf's Vivaldi coordinate, learned
  /// from the round trips of its probes); nil when coordinates are off.
  /// A snapshot: reading it never waits on the protocol.
  public var coordinate: SerfCoordinate? { mailbox.coordinates.current.own }

  /// The last coordinate `member` sent this node in an ack (this node's
  /// own for its own name); nil when none is known yet. A member's first
  /// coordinate arrives when this node first probes it, within about
  /// one probe interval per member.
  public func coordinate(of member: String) -> SerfCoordinate? {
    let view = mailbox.coordinates.current
    return member == name ? view.own : view.peers[member]
  }

  /// The estimated round trip between two members from their coordinates
  /// (`serf rtt A B`: Euclidean distance plus both heights and both
  /// adjustments); nil when either coordinate is unknown.
  public func estimatedRoundTrip(from first: String, to second: String) -> Duration? {
    let view = mailbox.coordinates.current
    let one = first == name ? view.own : view.peers[first]
    let other = second == name ? view.own : view.peers[second]
    guard let one, let other else { return nil }
    return one.estimatedRoundTrip(to: other)
  }

  /// Round-trip estimates from this node, over one snapshot of the
  /// coordinates (one lock, however many members are asked about): what
  /// the `nearest` strategy compares.
  func roundTripEstimates() -> @Sendable (String) -> Duration? {
    let view = mailbox.coordinates.current
    let me = name
    return { member in
      guard let own = view.own, let other = member == me ? view.own : view.peers[member] else {
        return nil
      }
      return own.estimatedRoundTrip(to: other)
    }
  }

  /// The estimated round trip from this node to `member` (`serf rtt
  /// MEMBER`); nil when its coordinate is unknown.
  public func estimatedRoundTrip(to member: String) -> Duration? {
    estimatedRoundTrip(from: name, to: member)
  }

  /// What the network coordinates counted (updates, refused payloads).
  public var coordinateCounters: CoordinateCounters { mailbox.coordinates.current.counters }

  /// The inbound TCP streams this node refused or cut short, and why
  /// (docs/security.md).
  public var inboundStreamCounters: InboundStreamCounters {
    mailbox.inboundCounters.withLock { $0 }
  }

  /// A new stream of membership events (joined, updated, suspected,
  /// recovered, failed, left), from now on. It ends when the node stops.
  public func events() -> AsyncStream<MembershipEvent> {
    mailbox.subscribe()
  }

  /// A new stream of the health of the services this node advertises:
  /// each one's first check result, then each change of its health (the
  /// same changes that are gossiped), in the order they happen, so the
  /// last one heard is the service's health now. It ends when the node
  /// stops.
  public func serviceHealthChanges() -> AsyncStream<AdvertisedServiceStatus> {
    advertiser.healthChanges()
  }

  /// A new stream of user events (`serf event`, `sendUserEvent`), from
  /// now on, each delivered once however often it arrives; it ends when
  /// the node stops. Events sent by this node are delivered here too.
  public func userEvents() -> AsyncStream<UserEvent> {
    mailbox.subscribeToUserEvents()
  }

  /// Sends a user event to every member, Serf agents included (`serf
  /// event NAME PAYLOAD`). `coalesce` lets receivers that coalesce keep
  /// only the latest of a burst. Throws when the name and payload are
  /// over the 512-byte limit or the node has stopped.
  public func sendUserEvent(name: String, payload: [UInt8] = [], coalesce: Bool = true)
    async throws
  {
    let error: UserEventError? = await withCheckedContinuation { continuation in
      let accepted = mailbox.submit(
        .userEvent(
          name: name, payload: payload, coalesce: coalesce,
          done: { continuation.resume(returning: $0) }))
      if !accepted {
        continuation.resume(returning: UserEventError(description: "the node has shut down"))
      }
    }
    if let error { throw error }
  }

  /// A new stream of Serf queries (`serf query NAME`) for this node to
  /// answer with `respond(to:payload:)`, from now on; it ends when the
  /// node stops. Serf's own queries (`_serf_…`) are answered inside and
  /// never appear here. Queries nobody answers are still acked.
  public func queries() -> AsyncStream<IncomingQuery> {
    mailbox.subscribeToQueries()
  }

  /// Sends a query to the cluster (`serf query`), Serf agents included,
  /// and returns its acks and responses as they come; the stream ends at
  /// the deadline (`options.timeout`, or Serf's default). Throws when the
  /// query is over 1,024 bytes encoded or the node has stopped.
  public func query(
    _ name: String, payload: [UInt8] = [], options: QueryOptions = QueryOptions()
  ) async throws -> AsyncStream<QueryReply> {
    let (stream, continuation) = AsyncStream<QueryReply>.makeStream()
    let started: Result<QueryHandle, QueryResponseError> = await withCheckedContinuation {
      (waiter: CheckedContinuation<Result<QueryHandle, QueryResponseError>, Never>) in
      let accepted = mailbox.submit(
        .query(
          name: name, payload: payload, options: options,
          started: { waiter.resume(returning: $0) },
          replies: { reply in
            if case .finished = reply {
              continuation.finish()
            } else {
              continuation.yield(reply)
            }
          }))
      if !accepted {
        waiter.resume(
          returning: .failure(QueryResponseError(description: "the node has shut down")))
      }
    }
    if case .failure(let error) = started {
      continuation.finish()
      throw error
    }
    return stream
  }

  /// Answers `query` (at most 1,024 bytes, before its deadline).
  public func respond(to query: IncomingQuery, payload: [UInt8]) async throws {
    let error: QueryResponseError? = await withCheckedContinuation { continuation in
      let accepted = mailbox.submit(
        .respond(query, payload: payload, done: { continuation.resume(returning: $0) }))
      if !accepted {
        continuation.resume(returning: QueryResponseError(description: "the node has shut down"))
      }
    }
    if let error { throw error }
  }

  /// Whether the node has stopped: shut down, or stopped on its own (see
  /// `failure`).
  public var isStopped: Bool { mailbox.isStopped }

  /// Why the node stopped on its own (its event loop could not go on), or
  /// nil. When set, `isStopped` is true and every event stream has ended.
  public var failure: String? { mailbox.failure }

  /// How many member snapshots have been published: a cheap way (one
  /// atomic load) to tell whether `members` changed since last read.
  var snapshotVersion: UInt64 { mailbox.snapshotVersion }

  /// Where the node's thread publishes the service catalog.
  package var catalogFeed: CatalogFeed { mailbox.catalogFeed }

  /// The service catalog of the current gossip view: every advertised
  /// instance, by service. Kept up to date by the node's own thread, so
  /// reading it costs a lock and a copy of a reference.
  public var catalog: ServiceCatalog { mailbox.catalogFeed.latest.catalog }

  /// When this node last heard from the cluster first-hand (an ack to its
  /// own probe, or a peer's full state), on the monotonic clock; nil
  /// before the first time.
  var lastContact: Timestamp? {
    let nanoseconds = mailbox.lastContact.load(ordering: .relaxed)
    return nanoseconds == .min ? nil : Timestamp(nanoseconds: nanoseconds)
  }

  /// How long ago this node last heard from the cluster first-hand (an
  /// ack to one of its probes, or a peer's full state in a push-pull);
  /// nil if it never has. A node cut off from the others sees this grow,
  /// and with it the `age` of every answer taken from gossip.
  public var timeSinceLastContact: Duration? {
    guard let lastContact else { return nil }
    let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
    return max(.zero, now - lastContact)
  }

  /// A stream of snapshot numbers, one per published snapshot (a slow
  /// reader sees only the latest); it ends when the node stops.
  func snapshots() -> AsyncStream<UInt64> { mailbox.subscribeToSnapshots() }
}
