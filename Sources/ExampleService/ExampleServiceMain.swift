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
      configuration = try EffectiveConfiguration.current()
    } catch {
      log("invalid configuration:\n\(error)")
      return 1
    }

    // 2. The node, in one call: it gossips on the bind address, tells the
    //    others the advertised one (in a pod, its IP), joins the
    //    configured or conventional seeds and keeps trying while alone.
    //    What it has to say (members joining and leaving, seeds not
    //    answering) comes to the log handler.
    let node: RumorNode
    do {
      node = try await RumorNode.start(configuration: configuration, logHandler: ExampleLog())
    } catch {
      log("cannot start the node on \(configuration.gossip.bind): \(error)")
      return 1
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
      let bind = node.boundAddress
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

    // 5. Run until a signal: cancelling `run()` leaves gracefully (the
    //    others see "left", not "failed", and stop resolving to this
    //    instance at once) and shuts the node down.
    let running = Task { try await node.run() }
    let received = await signals.next()
    log("\(received): leaving the cluster")
    running.cancel()
    let status: Int32
    do {
      try await running.value
      status = 0
    } catch {
      log("\(error)")
      status = 1
    }
    http.stop()
    log("stopped")
    return status
  }

  /// The node's log records as lines: a membership event as
  /// `joined api-2 at 10.0.0.7:7946` (from the record's metadata), anything
  /// else as the node words it.
  struct ExampleLog: RumorLogHandler {
    func log(level: RumorLogLevel, message: String, metadata: [String: String]) {
      if let event = metadata["event"], let member = metadata["member"],
        let address = metadata["address"]
      {
        // The name came from the network: quoted and escaped unless plain.
        let plain =
          !member.isEmpty && member.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        ExampleServiceMain.log("\(event) \(plain ? member : member.debugDescription) at \(address)")
      } else {
        ExampleServiceMain.log(message)
      }
    }
  }

  /// Writes a timestamped line straight to standard output (unbuffered,
  /// so that a supervisor or `kubectl logs` sees it at once).
  static func log(_ line: String) {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    FileHandle.standardOutput.write(Data("\(formatter.string(from: Date())) \(line)\n".utf8))
  }
}
