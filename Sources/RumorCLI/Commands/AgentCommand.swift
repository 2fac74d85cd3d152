import CommandLineSupport
import Dispatch
import FoundationEssentials
import Rumor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// `rumor agent`: runs a node until SIGINT or SIGTERM, logging membership.
enum AgentCommand {
  static let summary = "Run a node until interrupted: gossip, advertise and check services"
  static let help = """
    Usage: rumor agent [--config FILE] [--name NAME] [--bind HOST:PORT]
                       [--advertise HOST:PORT] [--join HOST:PORT]... [--tag KEY=VALUE]...
                       [--service NAME=URL]... [--encrypt BASE64KEY] [--label LABEL]
                       [--profile lan|wan|local] [--preset memberlist|rumor]
                       [--fast-crash-detection[=false]] [--guarded-accusations[=false]]
                       [--flap-quarantine S|off] [--stand-down S|off]
                       [--join-follow-up-syncs N] [--early-first-push-pull[=false]]
                       [--quiet-merges[=false]] [--direct-announcements[=false]]
                       [--late-nacks[=false]] [--suspicion-multiplier N] [--keyring-file PATH] [--leave-timeout S]
                       [--event-handler [FILTER=]SCRIPT]... [--dns HOST:PORT]
                       [--dns-domain DOMAIN] [--http HOST:PORT|off] [--http-token TOKEN]

    Runs a Rumor node until SIGINT or SIGTERM; then it leaves gracefully
    (others see it as left, not failed) and stops. It speaks memberlist and
    Serf, so `serf agent`s can be peers. It advertises the services of the
    configuration (`advertise:`, RUMOR_SERVICES, --service) as svc.NAME
    tags, checks each on its own schedule and gossips its health. Logs one
    line per join, update, failure and leave, per change of a service's
    health, and per user event (`serf event`).

    Every setting comes from, in order of precedence: these flags, the
    environment (RUMOR_NODE_NAME, RUMOR_BIND, RUMOR_ADVERTISE, RUMOR_JOIN,
    RUMOR_ENCRYPT, RUMOR_LABEL, RUMOR_PROFILE, RUMOR_PRESET, RUMOR_SERVICES,
    and one variable per policy: RUMOR_FAST_CRASH_DETECTION, ...), the file
    (--config or RUMOR_CONFIG), and the deployment mode's defaults (see
    `rumor config show`). Seeds given by a flag, variable or file must
    answer; the mode's conventional seeds are tried quietly, and all of
    them again every 10 s while the node is alone, since the first node of
    a cluster has nobody to join.

    Options:
      --config FILE         the configuration file (default $RUMOR_CONFIG)
      --name NAME           this node's unique name (default: the host name, with
                            the process id in local mode)
      --bind HOST:PORT      where to listen, UDP and TCP (default 127.0.0.1:7946 in
                            local mode, 0.0.0.0:7946 elsewhere; port 0 picks one)
      --advertise HOST:PORT the address to give others, if not the bind address
      --join HOST:PORT      a member to join through; repeat for more; a name joins
                            every address it resolves to
      --tag KEY=VALUE       a tag to gossip (Serf-compatible); repeat for more
      --service NAME=URL    a service to advertise and check (redis=redis://:6379;
                            an empty host means this node); repeat for more
      --encrypt KEY         the cluster's AES key, base64 (see 'rumor keygen')
      --label LABEL         the cluster's label (nodes with another label are ignored)
      --keyring-file PATH   keep the keyring there across restarts (Serf's -keyring-file):
                            its keys replace --encrypt's when it exists, else
                            --encrypt's keys create it; rewritten after each key change
      --profile P           lan, wan or local: memberlist's timings
      --leave-timeout S     how long to spread the leave before stopping (default 5)
    \(NodeOptions.policyHelp)
      --suspicion-multiplier N
                            how many probe intervals (times log10 of the
                            cluster size) a suspicion lasts before death
                            (the profile's: 4 for lan); lower detects
                            crashes sooner, and is safe against false deaths
                            only with --guarded-accusations (docs/simulation.md)
      --event-handler [FILTER[,FILTER]=]SCRIPT
                            run SCRIPT (with /bin/sh -c) for each event the
                            filters take, as a Serf agent does, so Serf handler
                            scripts work unchanged: filters member-join,
                            member-leave, member-failed, member-update,
                            member-reap, user, user:NAME, query, query:NAME or *
                            (all, the default); Serf's SERF_* variables and
                            standard input; a query handler's output is its
                            response. One event at a time per handler, off the
                            gossip thread, killed after 30 s (a query's: at its
                            deadline); repeat for more handlers
    \(AgentHTTPServer.help)
    \(AgentDNS.help)

    Exit status: 0 after a clean stop, 1 if the configuration is invalid,
    the node cannot start or join, or its event loop stops on its own, 2 for
    a bad command line.
    """

  static func run(_ arguments: [String], console plain: Console) async throws(CommandError) {
    let command = "rumor agent"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        "config", "name", "bind", "advertise", "join", "tag", "service", "encrypt", "label",
        "keyring-file",
        "event-handler",
        "profile", "leave-timeout", "suspicion-multiplier",
      ].map { ArgumentList.Option(name: $0, takesValue: true) }
        + AgentDNS.options.map { ArgumentList.Option(name: $0, takesValue: true) }
        + NodeOptions.policyOptions + AgentHTTPServer.options)
    if parsed.wantsHelp { return plain.out(help) }
    try parsed.expectPositional(atMost: 0)
    // Every line the agent prints also goes to `rumor monitor` clients
    // (GET /v1/monitor): its own lines at info, its errors at warning,
    // the node's records at their level.
    let monitor = AgentMonitor()
    let console = Console(
      out: { line in
        plain.out(line)
        monitor.record(.info, line)
      },
      err: { line in
        plain.err(line)
        monitor.record(.warning, line)
      })
    let plan = try AgentPlan(parsed, command: command)
    let handlerSpecs = try parsed.values("event-handler").map { text throws(CommandError) in
      try EventHandlerSpec(text, command: command)
    }
    let leaveTimeout =
      try NodeOptions.seconds(
        try parsed.value("leave-timeout"), option: "leave-timeout", command: command) ?? 5
    let signals = ShutdownSignal()
    var configuration = plan.node
    configuration.logHandler = ConsoleLogHandler(console: plain, monitor: monitor)
    let node: RumorNode
    do {
      node = try RumorNode.start(configuration)
    } catch {
      throw .failure("cannot start: \(error)")
    }
    var handlers: EventHandlers?
    if !handlerSpecs.isEmpty {
      ScriptRunner.ignoreBrokenPipes()
      handlers = EventHandlers(handlerSpecs, node: node, console: console)
    }
    let eventHandlers = handlers
    // One registry for DNS and HTTP: one set of cursors and breakers.
    let registry = ServiceRegistry(configuration: try PeerOptions.configuration(parsed), node: node)
    let dns: DNSServer?
    do {
      dns = try AgentDNS.start(parsed, node: node, registry: registry, command: command)
    } catch {
      await node.shutdown()
      throw error
    }
    defer { dns?.stop() }
    let log = Task { await logEvents(of: node, console: console, handlers: eventHandlers) }
    let userEvents = Task {
      await logUserEvents(of: node, console: console, handlers: eventHandlers)
    }
    let queries = Task { await handleQueries(of: node, handlers: eventHandlers) }
    let api: AgentAPI?
    do {
      api = try AgentHTTPServer.start(
        parsed, node: node, registry: registry, dns: dns, monitor: monitor, console: console,
        command: command)
    } catch {
      await node.shutdown()
      throw error
    }
    defer { api?.stop() }
    console.out(
      "\(timestamp()) started \(node.name) on \(node.boundAddress), advertising \(node.address) (mode \(plan.mode))"
    )
    if let dns { console.out("\(timestamp()) answering DNS on \(dns.address) (UDP and TCP)") }
    for service in plan.node.services {
      console.out(
        "\(timestamp()) advertising \(service.name) at \(service.url), checked by \(service.check?.summary ?? "nothing")"
      )
    }
    // After the lines above, so that no check result comes before them
    // (with a second core, a refused first check beat them); a check that
    // ran already is logged from its status, none is missed.
    let health = Task { await logHealth(of: node, console: console) }
    // Joined after subscribing, so that the handlers see the first joins.
    do {
      try await node.join(plan.seeds)
    } catch {
      await node.shutdown()
      log.cancel()
      health.cancel()
      throw .failure("\(error)")
    }
    // A signal, or the node stopping on its own (its event loop failed):
    // then the agent must not look alive, so it exits non-zero.
    let received: String? = await withTaskGroup(of: String?.self) { group in
      group.addTask { await signals.next() }
      group.addTask {
        for await _ in node.events() {}
        return nil
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    health.cancel()
    userEvents.cancel()
    queries.cancel()
    guard let received, !node.isStopped else {
      log.cancel()
      throw .failure(node.failure ?? "the node stopped on its own")
    }
    console.out("\(timestamp()) \(received), leaving the cluster")
    await node.leave(timeout: .milliseconds(Int64(leaveTimeout * 1000)))
    await node.shutdown()
    _ = await log.value
    console.out("\(timestamp()) stopped")
  }

  /// Logs each change of an advertised service's health, as the node
  /// reports it (nothing is polled).
  private static func logHealth(of node: RumorNode, console: Console) async {
    // Subscribed first, then the checks that already ran: none is missed,
    // and `last` keeps one that lands in both from being logged twice.
    let changes = node.serviceHealthChanges()
    var last: [String: ServiceHealth] = [:]
    func log(_ status: AdvertisedServiceStatus) {
      let name = status.service.name
      guard last[name] != status.health else { return }
      last[name] = status.health
      // A check's error can quote what the checked server answered.
      let detail = status.lastCheck.flatMap(\.error).map { " (\($0.logText))" } ?? ""
      console.out("\(timestamp()) service \(name.logField) is \(status.health)\(detail)")
    }
    for status in node.advertisedServices where status.lastCheck != nil { log(status) }
    for await status in changes { log(status) }
  }

  private static func logEvents(of node: RumorNode, console: Console, handlers: EventHandlers?)
    async
  {
    for await event in node.events() {
      console.out(eventLine(event, at: timestamp()))
      handlers?.handle(event)
    }
  }

  /// Hands each query to the handlers (a query nobody handles is still
  /// acked by the node, as a Serf agent without handlers does).
  private static func handleQueries(of node: RumorNode, handlers: EventHandlers?) async {
    guard let handlers else { return }
    for await query in node.queries() {
      var spec = timespec()
      clock_gettime(CLOCK_MONOTONIC, &spec)
      let now = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
      handlers.handle(query, now: now, deadline: Double(query.deadline.nanoseconds) / 1e9)
    }
  }

  /// Logs each user event (`serf event`) once, with its Lamport time and
  /// payload size; the payload itself is the application's.
  private static func logUserEvents(
    of node: RumorNode, console: Console, handlers: EventHandlers?
  ) async {
    for await event in node.userEvents() {
      handlers?.handle(event)
      console.out(
        "\(timestamp()) user-event \(event.name.logField) ltime \(event.lamportTime), \(event.payload.count) bytes"
      )
    }
  }

  /// The log line of one membership event. The member's name came from
  /// the network, so it is escaped (`logField`): no name can end the line
  /// or pass for another field.
  static func eventLine(_ event: MembershipEvent, at time: String) -> String {
    let member = event.member
    let why: String
    switch event {
    case .stoodDown:
      why =
        " (this node's health score stayed at its worst: it takes itself to be the failing part"
        + " and stops accusing others and refuting accusations until its links work again)"
    case .resumed: why = " (this node's health score is back to 0: it accuses and refutes again)"
    default: why = ""
    }
    return
      "\(time) \(event.verb) \(member.name.logField) \(member.address) incarnation \(member.incarnation)\(why)"
  }

  static func timestamp() -> String { logTimestamp() }
}
