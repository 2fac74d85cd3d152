import RumorCore
import RumorDiscovery
import RumorWire
import Synchronization

/// The agent's HTTP API (docs/agent-api.md): members,
/// services, resolution, health, the agent itself, writes, blocking
/// queries and a Server-Sent Events stream, over a running node and its
/// registry. It runs on an `HTTPServer` thread of its own and reads the
/// node's published snapshots only, so no client can stall the node's
/// protocol thread; probes and writes run off the server's thread too.
public final class AgentAPI: Sendable {
  /// The node answered for.
  public let node: RumorNode
  /// The registry answering resolve and health.
  public let registry: ServiceRegistry
  /// What `GET /v1/monitor` streams: feed it the agent's log lines.
  public let monitor: AgentMonitor
  private let server: HTTPServer
  private let tasks: Mutex<[Task<Void, Never>]>

  /// Where it listens.
  public var address: NodeAddress { server.address }
  /// What the HTTP server answered, refused or cut short.
  public var counters: HTTPServerCounters { server.counters }

  /// Starts serving on `bind`. `configuration` is what `GET /v1/agent`
  /// shows as the configuration in effect; `authorization` says who may
  /// write; `leave` runs for `POST /v1/agent/leave` (the `rumor agent`
  /// command leaves and exits as on SIGTERM; by default the node leaves
  /// and shuts down). `extraRoutes` adds routes to the table (the
  /// metrics and the live page). `monitor` is what `GET /v1/monitor`
  /// streams.
  public init(
    node: RumorNode, registry: ServiceRegistry, bind: NodeAddress,
    configuration: JSONValue = .null,
    authorization: WriteAuthorization = WriteAuthorization(token: nil),
    limits: HTTPServerLimits = HTTPServerLimits(),
    monitor: AgentMonitor = AgentMonitor(),
    leave: (@Sendable () async -> Void)? = nil,
    extraRoutes: (inout HTTPRouter) -> Void = { _ in }
  ) throws(TransportError) {
    self.node = node
    self.registry = registry
    self.monitor = monitor
    let state = SharedState()
    var router = HTTPRouter()
    let routes = AgentRoutes(
      node: node, registry: registry, configuration: configuration,
      authorization: authorization, leave: leave, state: state, monitor: monitor)
    routes.register(in: &router)
    extraRoutes(&router)
    let server = try HTTPServer(bind: bind, router: router, limits: limits, name: "api")
    self.server = server
    state.server.withLock { $0 = server }
    monitor.attach(server)
    tasks = Mutex(Self.forwardEvents(of: node, to: server, state: state))
  }

  /// Stops serving and forwarding events.
  public func stop() {
    monitor.attach(nil)
    server.stop()
    for task in tasks.withLock({ $0 }) { task.cancel() }
  }

  deinit { stop() }

  /// What routes share with the API object.
  final class SharedState: Sendable {
    let server = Mutex<HTTPServer?>(nil)
    let eventNumber = Atomic<UInt64>(0)
  }

  /// Hands each membership event to the stream clients, and wakes
  /// blocking queries at each snapshot the node publishes (after the
  /// change is in it; a slow reader sees only the latest). This node's own
  /// tag changes (a service's health, `PUT /v1/agent/tags`) make no
  /// membership event, so the stream gets an `updated` event for them
  /// from the snapshots.
  private static func forwardEvents(
    of node: RumorNode, to server: HTTPServer, state: SharedState
  ) -> [Task<Void, Never>] {
    let events = node.events()
    let snapshots = node.snapshots()
    @Sendable func send(_ event: MembershipEvent) {
      let number = state.eventNumber.add(1, ordering: .relaxed).newValue
      server.broadcast(
        ServerSentEvent(event: event.verb, id: String(number), data: AgentJSON.event(event).text)
          .encoded)
    }
    let forwarder = Task {
      for await event in events { send(event) }
    }
    let notifier = Task {
      var ownMeta = node.members.first { $0.name == node.name }?.meta
      for await _ in snapshots {
        server.changed()
        let me = node.members.first { $0.name == node.name }
        if let me, me.meta != ownMeta {
          ownMeta = me.meta
          send(.updated(me))
        }
      }
    }
    return [forwarder, notifier]
  }
}
