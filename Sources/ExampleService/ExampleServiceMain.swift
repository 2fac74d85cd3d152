// rumor-example-service: a small HTTP service that embeds a Rumor node,
// advertises itself, and finds other services through gossip. It is
// documentation by example: every step below is one call to the library.
//
// Two instances on loopback, the second joining the first (in local mode
// the first node on a machine takes 127.0.0.1:7946 and is everyone's
// default seed, so the second needs only a port of its own):
//
//   swift run rumor-example-service --http-port 8001
//   RUMOR_BIND=127.0.0.1:7947 swift run rumor-example-service --http-port 8002
//
// Then, from a third shell:
//
//   swift run rumor members --peer 127.0.0.1:7946
//   swift run rumor resolve backend --peer 127.0.0.1:7947 --explain
//   curl http://127.0.0.1:8002/resolve/backend    # {"service":"backend","url":"http://127.0.0.1:800x"}
//   curl http://127.0.0.1:8001/api/system/health   # {"status":"passing"}
//
// Ctrl-C one of them: it leaves gracefully and the other's lookups move to
// the instance that is left. `kill -9` it instead and they move as soon as
// the survivor suspects it (about a second). k8s/ runs the same program as
// a Kubernetes Deployment.

import Foundation
import Rumor

/// The service's life: read the configuration, start the node, serve
/// HTTP, advertise, join, and leave on SIGINT or SIGTERM.
@main
enum ExampleServiceMain {
  static func main() async {
    exit(await run())
  }

  /// Runs until a signal; returns the exit status (0 after a clean leave,
  /// 1 when the service cannot start, 2 for a bad command line).
  static func run() async -> Int32 {
    let settings: ExampleSettings
    do throws(ExampleSettings.Stop) {
      settings = try ExampleSettings(
        arguments: Array(CommandLine.arguments.dropFirst()),
        environment: ProcessInfo.processInfo.environment)
    } catch {
      switch error {
      case .help:
        FileHandle.standardOutput.write(Data((ExampleSettings.usage + "\n").utf8))
        return 0
      case .usage(let problem):
        FileHandle.standardError.write(Data("rumor-example-service: \(problem)\n".utf8))
        return 2
      }
    }
    let signals = ShutdownSignal()

    // 1. The library's configuration, read exactly as every Rumor process
    //    reads it: the file named by RUMOR_CONFIG, the RUMOR_* and
    //    AUTOBOT_* variables over it, the deployment mode detected.
    let configuration: EffectiveConfiguration
    do {
      configuration = try ConfigurationLoader.effective(file: nil, host: .current())
    } catch {
      log("invalid configuration:\n\(error)")
      return 1
    }
    let gossip = configuration.gossip
    guard let bind = NodeAddress(gossip.bind.description) else {
      log("gossip.bind = \(gossip.bind) is not a numeric address")
      return 1
    }

    // 2. The node: gossip on the bind address, other members told the
    //    advertised one (in a pod, its IP).
    let node: RumorNode
    do {
      node = try RumorNode.start(
        NodeConfiguration(
          name: gossip.nodeName, bind: bind,
          advertise: gossip.advertise.flatMap { NodeAddress($0.description) },
          settings: SWIMSettings(profile: gossip.profile), keys: gossip.encryptionKeys,
          label: gossip.label, services: gossip.advertised))
    } catch {
      log("cannot start the node on \(bind): \(error)")
      return 1
    }
    let membership = Task {
      for await event in node.events() { log(describe(event)) }
    }

    // 3. The resolver over the node's view, shared so that
    //    `serviceURL("redis")` works anywhere in the process; and the HTTP
    //    server, up before the service is advertised so that its first
    //    health check passes.
    let registry = ServiceRegistry(configuration: configuration, node: node)
    registry.share()
    let routes = ExampleRoutes(
      service: settings.service, healthPath: settings.healthPath, node: node, registry: registry)
    let http: HTTPResponder
    do {
      http = try HTTPResponder(
        bind: NodeAddress(ip: bind.ipBytes, port: settings.httpPort) ?? bind,
        handler: { routes.respond(to: $0) })
    } catch {
      log("cannot serve HTTP on port \(settings.httpPort): \(error)")
      await node.shutdown()
      return 1
    }

    // 4. Advertise: the tag svc.NAME = http://:PORT (an empty host means
    //    this node's address), checked by GET of the health path; its
    //    health is gossiped as health.NAME.
    let service = AdvertisedService(
      name: settings.service, url: ServiceURL(scheme: "http", port: http.address.port),
      check: HealthCheck(kind: .http, path: settings.healthPath))
    do {
      try await node.advertise(service)
    } catch {
      log("cannot advertise \(service.name): \(error)")
      http.stop()
      await node.shutdown()
      return 1
    }
    log(
      "\(node.name) gossips on \(node.boundAddress) as \(node.address) (mode \(configuration.mode)); serving \(service.name) at http://\(http.address), advertised as \(service.url)"
    )

    // 5. Join, and keep trying while alone.
    let joining = Task { await joinWhileAlone(node, seeds: gossip.seeds.map(\.description)) }

    // 6. Leave on a signal: the others see "left", not "failed", and stop
    //    resolving to this instance at once.
    let received = await signals.next()
    joining.cancel()
    log("\(received): leaving the cluster")
    await node.leave(timeout: .seconds(3))
    await node.shutdown()
    http.stop()
    await membership.value
    log("stopped")
    return 0
  }

  /// Joins through the seeds (RUMOR_JOIN or `gossip.join`, then the mode's
  /// conventional ones), and again every 5 s while this node knows nobody
  /// else: the first instance of a cluster has no one to join until the
  /// others start.
  static func joinWhileAlone(_ node: RumorNode, seeds: [String]) async {
    var quiet = false
    while !Task.isCancelled {
      if node.members.filter({ $0.state == .alive }).count <= 1 {
        do {
          let answered = try await node.join(seeds)
          log(
            "joined the cluster through \(answered) address(es) of \(seeds.joined(separator: ", "))"
          )
          quiet = false
        } catch {
          if !quiet { log("no seed answered yet (\(error)); waiting to be joined") }
          quiet = true
        }
      }
      try? await Task.sleep(for: .seconds(5))
    }
  }

  /// One line per membership event, e.g. `joined api-2 at 10.0.0.7:7946`.
  static func describe(_ event: MembershipEvent) -> String {
    let verb = event.verb
    return "\(verb) \(event.member.name) at \(event.member.address)"
  }

  /// Writes a timestamped line straight to standard output (unbuffered,
  /// so that a supervisor or `kubectl logs` sees it at once).
  static func log(_ line: String) {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    FileHandle.standardOutput.write(Data("\(formatter.string(from: Date())) \(line)\n".utf8))
  }
}
