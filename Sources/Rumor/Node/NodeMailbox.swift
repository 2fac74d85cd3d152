import RumorCore
import RumorDiscovery
import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What an API call asks the owner thread to do.
enum NodeCommand: Sendable {
  /// Join through these addresses; `done` gets how many answered, or
  /// the errors when none did.
  case join([NodeAddress], done: @Sendable (Result<Int, JoinError>) -> Void)
  /// Leave gracefully, waiting at most `timeout` for the news to spread.
  case leave(timeout: Duration, done: @Sendable () -> Void)
  /// Change this node's metadata.
  case setMeta([UInt8], done: @Sendable (SettingsError?) -> Void)
  /// Send a query; `started` gets its handle (or why it was not sent),
  /// `replies` every ack, response and the end.
  case query(
    name: String, payload: [UInt8], options: QueryOptions,
    started: @Sendable (Result<QueryHandle, QueryResponseError>) -> Void,
    replies: @Sendable (QueryReply) -> Void)
  /// Answer a query.
  case respond(IncomingQuery, payload: [UInt8], done: @Sendable (QueryResponseError?) -> Void)
  /// Send a user event to the cluster.
  case userEvent(
    name: String, payload: [UInt8], coalesce: Bool, done: @Sendable (UserEventError?) -> Void)
  /// Declare a member gone (Serf's force-leave).
  case forceLeave(String, prune: Bool, done: @Sendable () -> Void)
  /// Stop: close every socket and end the thread.
  case shutdown(done: @Sendable () -> Void)
}

/// The state shared by the API (any thread) and the node's owner thread,
/// behind one lock: commands in, snapshots and events out. The owner
/// thread is woken through a `WakeChannel` when a command arrives.
final class NodeMailbox: Sendable {
  private struct State {
    var commands: [NodeCommand] = []
    var members: [Member] = []
    var snapshotSubscribers = Subscribers<UInt64>()
    var subscribers = Subscribers<MembershipEvent>()
    var userEventSubscribers = Subscribers<UserEvent>()
    var querySubscribers = Subscribers<IncomingQuery>()
    var stopped = false
    var counters = NodeCounters()
    var failure: String?
  }

  private let state = Mutex(State())
  /// What the TCP listener refused, kept apart from the snapshot because
  /// the owner thread counts it as it happens.
  let inboundCounters = Mutex(InboundStreamCounters())
  /// The network coordinates, published by the owner thread when they
  /// change.
  let coordinates = CoordinateBoard()
  /// Bumped after every published snapshot, so readers that derive data
  /// from the members (the service resolver) can tell with one atomic
  /// load, without the lock, that their copy is still current.
  private let version = Atomic<UInt64>(0)
  /// `SWIMNode.lastContact` in nanoseconds, `Int64.min` before the first;
  /// stored by the owner thread on every turn of its loop.
  let lastContact = Atomic<Int64>(.min)
  /// The read end of the wake-up channel, watched by the owner thread.
  let wakeDescriptor: Int32
  /// The write end, written by `submit`.
  let wakeWriteDescriptor: Int32

  /// Creates a mailbox with its wake-up channel.
  init() throws(TransportError) {
    (wakeDescriptor, wakeWriteDescriptor) = try WakeChannel.make()
  }

  /// Queues a command and wakes the owner thread; false once stopped.
  @discardableResult
  func submit(_ command: NodeCommand) -> Bool {
    state.withLock { state in
      guard !state.stopped else { return false }
      state.commands.append(command)
      // Under the lock: the owner closes the channel only after `stop`,
      // so this never writes to a closed (or reused) descriptor.
      WakeChannel.wake(wakeWriteDescriptor)
      return true
    }
  }

  /// Takes the queued commands (owner thread).
  func takeCommands() -> [NodeCommand] {
    state.withLock { state in
      defer { state.commands = [] }
      return state.commands
    }
  }

  /// The latest member snapshot.
  var members: [Member] { state.withLock { $0.members } }

  /// The latest counters.
  var counters: NodeCounters { state.withLock { $0.counters } }

  /// The service catalog, published with each snapshot.
  let catalogFeed = CatalogFeed()

  /// Publishes a new snapshot (owner thread) and tells the snapshot
  /// subscribers its number.
  /// Publishes fresh counters alone, between member snapshots (owner
  /// thread): traffic is counted all the time, membership changes rarely.
  /// Not a new snapshot: no version bump, nobody woken.
  func publish(counters: NodeCounters) {
    state.withLock { $0.counters = counters }
  }

  func publish(members: [Member], counters: NodeCounters, catalog: ServiceCatalog) {
    catalogFeed.publish(catalog)
    let (published, subscribers) = state.withLock { state in
      state.members = members
      state.counters = counters
      let published = version.add(1, ordering: .releasing).newValue
      return (published, state.snapshotSubscribers.continuations)
    }
    for continuation in subscribers { continuation.yield(published) }
  }

  /// A new stream of snapshot numbers, one per published snapshot (only
  /// the latest is kept for a slow reader); it ends when the node stops.
  func subscribeToSnapshots() -> AsyncStream<UInt64> {
    subscribe(\.snapshotSubscribers, buffering: .bufferingNewest(1))
  }

  /// How many snapshots have been published.
  var snapshotVersion: UInt64 { version.load(ordering: .acquiring) }

  /// Hands an event to every subscriber (owner thread).
  func publish(_ event: MembershipEvent) {
    let continuations = state.withLock { $0.subscribers.continuations }
    for continuation in continuations { continuation.yield(event) }
  }

  /// Hands a user event to every subscriber (owner thread).
  func publish(_ event: UserEvent) {
    let continuations = state.withLock { $0.userEventSubscribers.continuations }
    for continuation in continuations { continuation.yield(event) }
  }

  /// Hands a query to every subscriber (owner thread).
  func publish(_ query: IncomingQuery) {
    let continuations = state.withLock { $0.querySubscribers.continuations }
    for continuation in continuations { continuation.yield(query) }
  }

  /// A new stream of queries to answer; it ends when the node stops.
  func subscribeToQueries() -> AsyncStream<IncomingQuery> {
    subscribe(\.querySubscribers)
  }

  /// A new stream of membership events; it ends when the node stops.
  func subscribe() -> AsyncStream<MembershipEvent> {
    subscribe(\.subscribers)
  }

  /// A new stream of user events; it ends when the node stops.
  func subscribeToUserEvents() -> AsyncStream<UserEvent> {
    subscribe(\.userEventSubscribers)
  }

  private func subscribe<Element: Sendable>(
    _ list: WritableKeyPath<State, Subscribers<Element>> & Sendable,
    buffering: AsyncStream<Element>.Continuation.BufferingPolicy = .bufferingNewest(10_000)
  ) -> AsyncStream<Element> {
    let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: buffering)
    let id: Int? = state.withLock { state in
      guard !state.stopped else { return nil }
      return state[keyPath: list].add(continuation)
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    continuation.onTermination = { [weak self] _ in
      self?.state.withLock { $0[keyPath: list].remove(id) }
    }
    return stream
  }

  /// Marks the node stopped (with `failure` when it stopped on its own),
  /// ends every event stream and returns the commands that will never run
  /// (owner thread).
  func stop(failure: String? = nil) -> [NodeCommand] {
    var snapshotSubscribers: [AsyncStream<UInt64>.Continuation] = []
    let (subscribers, userEventSubscribers, pending) = state.withLock { state in
      state.stopped = true
      state.failure = failure
      let subscribers = state.subscribers.continuations
      let userEventSubscribers = state.userEventSubscribers.continuations
      let querySubscribers = state.querySubscribers.continuations
      snapshotSubscribers = state.snapshotSubscribers.continuations
      state.snapshotSubscribers = Subscribers()
      state.subscribers = Subscribers()
      state.userEventSubscribers = Subscribers()
      state.querySubscribers = Subscribers()
      defer { state.commands = [] }
      return (subscribers, (userEventSubscribers, querySubscribers), state.commands)
    }
    for continuation in subscribers { continuation.finish() }
    for continuation in userEventSubscribers.0 { continuation.finish() }
    for continuation in userEventSubscribers.1 { continuation.finish() }
    for continuation in snapshotSubscribers { continuation.finish() }
    return pending
  }

  /// Whether the node has stopped.
  var isStopped: Bool { state.withLock { $0.stopped } }

  /// Why the node stopped on its own; nil while it runs or after a
  /// requested shutdown.
  var failure: String? { state.withLock { $0.failure } }
}

/// The open streams of one kind of event, by subscription number.
struct Subscribers<Element: Sendable>: Sendable {
  private var byID: [Int: AsyncStream<Element>.Continuation] = [:]
  private var nextID = 0

  /// Every open stream.
  var continuations: [AsyncStream<Element>.Continuation] { Array(byID.values) }

  /// Adds a stream; returns its number.
  mutating func add(_ continuation: AsyncStream<Element>.Continuation) -> Int {
    let id = nextID
    nextID += 1
    byID[id] = continuation
    return id
  }

  /// Removes stream `id`.
  mutating func remove(_ id: Int) {
    byID[id] = nil
  }
}

/// Why a join failed: every address, and what went wrong with each.
public struct JoinError: Error, Hashable, Sendable, CustomStringConvertible {
  /// One line per address tried.
  public var failures: [String]

  /// Creates a join error.
  public init(failures: [String]) {
    self.failures = failures
  }

  /// "could not join through any of N addresses: …".
  public var description: String {
    "could not join through any of \(failures.count) address\(failures.count == 1 ? "" : "es"): "
      + failures.joined(separator: "; ")
  }
}
