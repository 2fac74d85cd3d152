import RumorCore
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
  /// Gossip a delegate (Serf) message.
  case broadcast([UInt8])
  /// Stop: close every socket and end the thread.
  case shutdown(done: @Sendable () -> Void)
}

/// The state shared by the API (any thread) and the node's owner thread,
/// behind one lock: commands in, snapshots and events out. The owner
/// thread is woken through a pipe when a command arrives.
final class NodeMailbox: Sendable {
  private struct State {
    var commands: [NodeCommand] = []
    var members: [Member] = []
    var subscribers: [Int: AsyncStream<MembershipEvent>.Continuation] = [:]
    var nextSubscriber = 0
    var stopped = false
    var counters = NodeCounters()
  }

  private let state = Mutex(State())
  /// What the TCP listener refused, kept apart from the snapshot because
  /// the owner thread counts it as it happens.
  let inboundCounters = Mutex(InboundStreamCounters())
  /// Bumped after every published snapshot, so readers that derive data
  /// from the members (the service resolver) can tell with one atomic
  /// load, without the lock, that their copy is still current.
  private let version = Atomic<UInt64>(0)
  /// The read end of the wake-up pipe, watched by the owner thread.
  let wakeDescriptor: Int32
  /// The write end, written by `submit`.
  let wakeWriteDescriptor: Int32

  /// Creates a mailbox with its wake-up pipe.
  init() throws(TransportError) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw TransportError("cannot create a pipe: \(SocketAddress.errorText())")
    }
    for end in ends {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    wakeDescriptor = ends[0]
    wakeWriteDescriptor = ends[1]
  }

  /// Queues a command and wakes the owner thread; false once stopped.
  @discardableResult
  func submit(_ command: NodeCommand) -> Bool {
    let accepted = state.withLock { state in
      guard !state.stopped else { return false }
      state.commands.append(command)
      return true
    }
    if accepted {
      // A full pipe already means "wake up": losing this byte is fine.
      var one: UInt8 = 1
      _ = write(wakeWriteDescriptor, &one, 1)
    }
    return accepted
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

  /// Publishes a new snapshot (owner thread).
  func publish(members: [Member], counters: NodeCounters) {
    state.withLock { state in
      state.members = members
      state.counters = counters
    }
    version.add(1, ordering: .releasing)
  }

  /// How many snapshots have been published.
  var snapshotVersion: UInt64 { version.load(ordering: .acquiring) }

  /// Hands an event to every subscriber (owner thread).
  func publish(_ event: MembershipEvent) {
    let subscribers = state.withLock { Array($0.subscribers.values) }
    for continuation in subscribers {
      continuation.yield(event)
    }
  }

  /// A new stream of events; it ends when the node stops.
  func subscribe() -> AsyncStream<MembershipEvent> {
    let (stream, continuation) = AsyncStream<MembershipEvent>.makeStream(
      bufferingPolicy: .bufferingNewest(10_000))
    let id: Int? = state.withLock { state in
      guard !state.stopped else { return nil }
      let id = state.nextSubscriber
      state.nextSubscriber += 1
      state.subscribers[id] = continuation
      return id
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    continuation.onTermination = { [weak self] _ in
      self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// Marks the node stopped, ends every event stream and returns the
  /// commands that will never run (owner thread).
  func stop() -> [NodeCommand] {
    let (subscribers, pending) = state.withLock { state in
      state.stopped = true
      let subscribers = Array(state.subscribers.values)
      state.subscribers = [:]
      defer { state.commands = [] }
      return (subscribers, state.commands)
    }
    for continuation in subscribers { continuation.finish() }
    return pending
  }

  /// Whether the node has stopped.
  var isStopped: Bool { state.withLock { $0.stopped } }
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
