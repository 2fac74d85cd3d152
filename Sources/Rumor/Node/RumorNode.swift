import FoundationEssentials
import RumorCore
import RumorDiscovery
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A running cluster member: sockets, an owner thread, and the SWIM state
/// machine it drives. Many nodes can run in one process.
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
/// every change, so reading it never waits on the protocol.
public final class RumorNode: Sendable {
  /// The node's name.
  public let name: String
  /// The address other members reach it at.
  public let address: NodeAddress
  /// The address its sockets are bound to.
  public let boundAddress: NodeAddress
  private let mailbox: NodeMailbox
  let advertiser: ServiceAdvertiser
  let keyringFile: KeyringPersistence?

  private init(
    name: String, address: NodeAddress, boundAddress: NodeAddress, mailbox: NodeMailbox,
    advertiser: ServiceAdvertiser, keyringFile: KeyringPersistence? = nil
  ) {
    self.keyringFile = keyringFile
    self.name = name
    self.address = address
    self.boundAddress = boundAddress
    self.mailbox = mailbox
    self.advertiser = advertiser
  }

  /// Binds the sockets and starts the node's thread. Throws if the
  /// configuration is invalid or the port is taken.
  public static func start(_ configuration: NodeConfiguration) throws -> RumorNode {
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
    let node: ClusterNode
    let mailbox: NodeMailbox
    var serf = SerfSettings()
    if !configuration.networkCoordinates { serf.coordinates = nil }
    do {
      node = try ClusterNode(
        name: configuration.name, address: advertised, meta: meta, settings: configuration.settings,
        serf: serf, wire: WireOptions(label: configuration.label, keyring: keyring),
        seed: configuration.seed ?? UInt64.random(in: .min ... .max))
      mailbox = try NodeMailbox()
      try OwnerThread.start(name: "rumor-\(configuration.name)") {
        NodeLoop(
          node: node, mailbox: mailbox, udp: udp, listener: listener, poll: configuration.poll,
          keyringFile: persistence
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
    return RumorNode(
      name: configuration.name, address: advertised, boundAddress: bound, mailbox: mailbox,
      advertiser: advertiser, keyringFile: persistence)
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
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let accepted = mailbox.submit(.leave(timeout: timeout, done: { continuation.resume() }))
      if !accepted { continuation.resume() }
    }
  }

  /// Stops the node: closes every socket and ends the thread and every
  /// event stream. Others will see it fail (call `leave` first to be seen
  /// as left).
  public func shutdown() async {
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

  /// This node's traffic and protocol counters, as of the last snapshot.
  public var counters: NodeCounters { mailbox.counters }

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
  /// same changes that are gossiped). It ends when the node stops.
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
