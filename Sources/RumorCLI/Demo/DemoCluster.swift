import FoundationEssentials
import Rumor

/// The cast of `rumor demo`: a node beside each stand-in service, and an
/// application node with a service registry over its gossip view.
final class DemoCluster: Sendable {
  /// A node and the service it advertises.
  struct Instance: Sendable {
    /// The node.
    let node: RumorNode
    /// The stand-in it advertises and checks.
    let service: StandInService
  }

  /// The brief's services, in the order its example output lists them.
  static let serviceNames = ["redis", "backend", "ai-stack", "npu-worker", "frontend"]

  /// Which node runs which service: two of redis and backend, so that
  /// there is something to fail over to.
  static let cast: [(node: String, service: String)] = [
    ("cache-1", "redis"), ("cache-2", "redis"), ("api-1", "backend"), ("api-2", "backend"),
    ("ai-1", "ai-stack"), ("npu-1", "npu-worker"), ("web-1", "frontend"),
  ]

  /// The service nodes, in cast order.
  let services: [Instance]
  /// The node that only resolves.
  let app: RumorNode
  /// The app's registry.
  let registry: ServiceRegistry

  /// Every node, the app last.
  var nodes: [RumorNode] { services.map(\.node) + [app] }

  /// Starts every stand-in and node; stops what started if one fails.
  init(settings: SWIMSettings) throws {
    let loopback = NodeAddress(ipv4: 127, 0, 0, 1, port: 0)
    var started: [Instance] = []
    do {
      for (index, role) in Self.cast.enumerated() {
        let scheme = KnownService.named(role.service)?.scheme ?? "http"
        let service = try StandInService(name: role.service, scheme: scheme)
        var check = HealthCheck.standard(forService: role.service, url: service.url)
        // Fast enough to watch: two failed checks, 500 ms apart, make a
        // service critical.
        check.interval = .milliseconds(500)
        check.timeout = .seconds(1)
        check.failuresBeforeCritical = 2
        do {
          let node = try RumorNode.start(
            NodeConfiguration(
              name: role.node, bind: loopback, settings: settings,
              services: [AdvertisedService(name: role.service, url: service.url, check: check)],
              seed: UInt64(index + 1)))
          started.append(Instance(node: node, service: service))
        } catch {
          service.stop()
          throw error
        }
      }
      app = try RumorNode.start(
        NodeConfiguration(name: "app", bind: loopback, settings: settings, seed: 100))
    } catch {
      for instance in started {
        instance.service.stop()
        // The node's thread ends on its own once told; nothing to await
        // here since start failed.
        Task { await instance.node.shutdown() }
      }
      throw error
    }
    services = started
    // The demo's answers must not depend on this machine's REDIS_HOST or
    // container: local mode, no variables.
    let configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(mode: .local), host: HostEnvironment())
    registry = ServiceRegistry(configuration: configuration, node: app, variables: [:])
  }

  /// Every node joins through the app.
  func join() async throws {
    for instance in services { try await instance.node.join(addresses: [app.address]) }
  }

  /// How many instances are alive and passing in `catalog`.
  func passing(in catalog: ServiceCatalog) -> Int {
    catalog.instances.values.joined().filter { $0.health == .passing && $0.memberState == .alive }
      .count
  }

  /// The instance on the node called `name`.
  func instance(node name: String) throws -> Instance {
    guard let found = services.first(where: { $0.node.name == name }) else {
      throw TransportError("no node called \(name) in the demo")
    }
    return found
  }

  /// Polls `condition` every 10 ms; throws, saying what it waited for,
  /// after `seconds`.
  func waitUntil(_ what: String, seconds: Double, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return }
      try? await Task.sleep(for: .milliseconds(10))
    }
    guard condition() else {
      throw TransportError("timed out after \(Int(seconds)) s waiting for \(what)")
    }
  }

  /// Stops every node and stand-in.
  func shutdown() async {
    for instance in services {
      instance.service.stop()
      await instance.node.shutdown()
    }
    await app.shutdown()
  }
}
