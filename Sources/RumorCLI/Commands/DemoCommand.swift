import CommandLineSupport
import FoundationEssentials
import Rumor

/// `rumor demo`: the README's main job. A cluster on loopback in this
/// process runs the brief's services as small stand-in servers with real
/// health checks; an application node resolves them; a service fails its
/// checks and a node is killed, and the resolver fails over each time.
enum DemoCommand {
  static let summary =
    "Run a local cluster that advertises services, resolves them and survives failures"
  static let help = """
    Usage: rumor demo [--profile local|lan|wan] [--preset rumor|memberlist]

    Starts, in this process on 127.0.0.1, stand-in servers for the brief's
    services (redis ×2, backend ×2, ai-stack, npu-worker, frontend) and one
    Rumor node beside each, advertising it with a real health check (Redis
    PING, HTTP GET of the health path) every 500 ms; plus an "app" node that
    only resolves. Then:

      1. prints how the app resolves each service and checks its health,
      2. makes one backend fail its health check (its node stays up) and
         shows the app's resolver move to the other backend,
      3. kills a redis node without a goodbye and shows the resolver fail
         over to the backup, and when every survivor declared it failed.

    By default the nodes use the local profile and the rumor preset, whose
    fast crash detection takes a refused connection as proof that a
    process is gone; --preset memberlist uses memberlist's timeouts only.

    Options:
      --profile P               local (default), lan or wan
      --preset P                rumor (default) or memberlist
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor demo"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        .init(name: "profile", takesValue: true),
        .init(name: "preset", takesValue: true),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    let presetName = try parsed.value("preset") ?? Preset.standard.rawValue
    guard let preset = Preset(rawValue: presetName) else {
      throw .usage("--preset must be rumor or memberlist (not '\(presetName)')", command: command)
    }
    let settings = SWIMSettings(
      profile: try NodeOptions.profile(try parsed.value("profile") ?? "local", command: command),
      preset: preset)
    let cluster: DemoCluster
    do {
      cluster = try DemoCluster(settings: settings)
    } catch {
      throw .failure("could not start the demo cluster: \(error)")
    }
    do {
      try await story(cluster, settings: settings, console: console)
    } catch {
      await cluster.shutdown()
      throw .failure("\(error)")
    }
    await cluster.shutdown()
  }

  private static func story(_ cluster: DemoCluster, settings: SWIMSettings, console: Console)
    async throws
  {
    console.out(
      "Rumor demo: \(cluster.nodes.count) nodes on 127.0.0.1 in this process (profile \(settings.profile.rawValue)), each beside a stand-in service with a real health check; \"app\" only resolves."
    )
    let started = Date()
    try await cluster.join()
    try await cluster.waitUntil("every instance passing in the app's view", seconds: 30) {
      cluster.passing(in: cluster.registry.catalog) == cluster.services.count
    }
    console.out(
      "Converged in \(seconds(since: started)): \(cluster.nodes.count) members, \(cluster.services.count) service instances passing.\n"
    )
    console.out(MembersCommand.table(cluster.app.members))

    console.out("\n🔗 Service URL Resolution (the app's url(for:)):")
    // Resolved once: the health table probes the very instances this
    // table shows (resolving again would move round robin to the next).
    var resolved: [Resolution] = []
    for name in DemoCluster.serviceNames {
      let result = Result { () throws(ResolutionError) in try cluster.registry.resolve(name) }
      console.out(resolutionLine(result, name))
      if case .success(let resolution) = result { resolved.append(resolution) }
    }
    console.out("\n🏥 Service Health Checks (probed now from the app):")
    let reports = await probe(resolved, registry: cluster.registry)
    for resolution in resolved {
      if let report = reports[resolution.service] {
        console.out(HealthCommand.line(report, width: 15))
      }
    }

    // Act 2: a service fails while its node is fine.
    let sick = try cluster.instance(node: "api-1")
    console.out("\n▶ api-1's backend starts answering 503 (its node stays up).")
    sick.service.set(healthy: false)
    let failing = Date()
    try await cluster.waitUntil("api-1's backend to be critical in the app's view", seconds: 30) {
      cluster.registry.catalog.instances["backend"]?.first { $0.node == "api-1" }?.health
        == .critical
    }
    console.out(
      "  api-1 gossiped health.backend=critical after \(seconds(since: failing)) (2 failed checks, 500 ms apart)."
    )
    for _ in 0..<2 { console.out(resolutionLine(cluster, "backend")) }

    // Act 3: a node dies with its service.
    // The primary, not `resolve`: round robin alternates between the
    // two instances, and the backup is the alternative to the primary.
    let primary = try cluster.registry.primary("redis")
    let backup = try cluster.registry.backupURL(for: "redis")
    console.out(
      "\n▶ Killing cache-1 and its redis without a goodbye (the app's primary redis is \(primary.instance?.node ?? "?"), backup \(backup))."
    )
    let victim = try cluster.instance(node: "cache-1")
    let watchers = cluster.nodes.filter { $0 !== victim.node }.map { ($0.name, $0.events()) }
    let killed = Date()
    victim.service.stop()
    await victim.node.shutdown()
    try await cluster.waitUntil("the app to stop resolving redis to cache-1", seconds: 60) {
      cluster.registry.catalog.instances["redis"]?.first { $0.node == "cache-1" }?.memberState
        != .alive
    }
    console.out(
      "  after \(seconds(since: killed)) the app saw cache-1 \(cluster.registry.catalog.instances["redis"]?.first { $0.node == "cache-1" }?.memberState.description ?? "gone") and stopped using it:"
    )
    console.out(resolutionLine(cluster, "redis"))
    try await reportFailures(watchers, victim: "cache-1", since: killed, console: console)

    console.out("\nHow the app resolves redis now (rumor resolve redis --explain):")
    let now = try cluster.registry.resolve("redis")
    for (index, line) in now.explanation.enumerated() { console.out("  \(index + 1). \(line)") }
    console.out(
      "\nNo registry server anywhere: each process answered from its own gossip view. Try `rumor agent` and `rumor resolve --peer` next (README)."
    )
  }

  /// `✅ redis → redis://127.0.0.1:4321  (gossip: cache-1, passing)`.
  private static func resolutionLine(_ cluster: DemoCluster, _ name: String) -> String {
    resolutionLine(
      Result { () throws(ResolutionError) in try cluster.registry.resolve(name) }, name)
  }

  /// The line of one resolution, or of why there is none.
  private static func resolutionLine(
    _ result: Result<Resolution, ResolutionError>, _ name: String
  ) -> String {
    let label = name.padded(to: 15)
    switch result {
    case .success(let resolution):
      let origin =
        resolution.instance.map { "\(resolution.source): \($0.node), \($0.health)" }
        ?? resolution.source.description
      return "✅ \(label) → \(resolution.url)  (\(origin))"
    case .failure(let error):
      return "❌ \(label) → \(error)"
    }
  }

  /// Checks each resolved instance now, concurrently, as
  /// `ServiceRegistry.checkHealth` would (the standard check for its
  /// name and scheme, the result fed to its circuit breaker), but on the
  /// instance given rather than on a fresh pick.
  private static func probe(_ resolutions: [Resolution], registry: ServiceRegistry) async
    -> [String: ServiceHealthReport]
  {
    await withTaskGroup(of: ServiceHealthReport.self) { group in
      for resolution in resolutions {
        group.addTask {
          var base = resolution.url
          base.path = ""
          let check = HealthCheck.standard(forService: resolution.service, url: base)
          let result = await HealthProbe.run(check, host: base.host, port: base.port)
          if result.passed {
            registry.reportSuccess(base)
          } else {
            registry.reportFailure(base)
          }
          return ServiceHealthReport(
            service: resolution.service, status: result.passed ? .healthy : .unhealthy,
            responseTime: result.responseTime, error: result.error, url: base,
            node: resolution.instance?.node, source: resolution.source)
        }
      }
      var reports: [String: ServiceHealthReport] = [:]
      for await report in group { reports[report.service] = report }
      return reports
    }
  }

  /// Prints each survivor's failure notice as it comes, in order.
  private static func reportFailures(
    _ watchers: [(String, AsyncStream<MembershipEvent>)], victim: String, since killed: Date,
    console: Console
  ) async throws {
    try await withThrowingTaskGroup(of: (String, Double).self) { group in
      for (name, stream) in watchers {
        group.addTask {
          for await event in stream {
            if case .failed(let member) = event, member.name == victim {
              return (name, Date().timeIntervalSince(killed))
            }
          }
          throw TransportError("\(name) stopped before noticing")
        }
      }
      group.addTask {
        try await Task.sleep(for: .seconds(120))
        throw TransportError("not every survivor noticed within 120 s")
      }
      var delays: [Double] = []
      for _ in watchers {
        guard let (_, delay) = try await group.next() else { break }
        delays.append(delay)
      }
      group.cancelAll()
      if let first = delays.min(), let last = delays.max() {
        console.out(
          "  all \(delays.count) survivors declared \(victim) failed, the first after \(fixed(first, decimals: 2)) s, the last after \(fixed(last, decimals: 2)) s."
        )
      }
    }
  }

  static func seconds(since start: Date) -> String {
    fixed(Date().timeIntervalSince(start), decimals: 2) + " s"
  }
}
