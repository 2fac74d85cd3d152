import CommandLineSupport
import Foundation
import Rumor

/// `rumor demo`: the README's main job, a small cluster on loopback in this
/// process: it forms, one member is killed, the others notice.
enum DemoCommand {
  static let summary = "Run a 5-node cluster on loopback, kill a node, watch the others notice"
  static let help = """
    Usage: rumor demo [--nodes N] [--profile lan|wan|local] [--memberlist-detection]

    Starts N nodes (default 5) in this process on 127.0.0.1, joins them
    through the first, prints the cluster once every node sees every other
    alive, then kills one (its sockets close without a goodbye) and prints
    when each survivor declared it failed.

    By default the nodes use the local profile and Rumor's fast crash
    detection (a refused connection proves the process is gone);
    --memberlist-detection uses memberlist's timeouts only.

    Options:
      --nodes N                 cluster size, 3 to 50 (default 5)
      --profile P               local (default), lan or wan
      --memberlist-detection    turn fast crash detection off
    """

  static func run(_ arguments: [String], console: Console) async throws(CommandError) {
    let command = "rumor demo"
    let parsed = try ArgumentList(
      arguments, command: command,
      options: [
        .init(name: "nodes", takesValue: true), .init(name: "profile", takesValue: true),
        .init(name: "memberlist-detection", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    let count =
      try parsed.value("nodes").map { text throws(CommandError) -> Int in
        guard let value = Int(text), (3...50).contains(value) else {
          throw .usage("--nodes must be 3 to 50 (not '\(text)')", command: command)
        }
        return value
      } ?? 5
    var settings = SWIMSettings(
      profile: try NodeOptions.profile(try parsed.value("profile") ?? "local", command: command))
    settings.refusedConnectionIsFailure = !parsed.flag("memberlist-detection")
    do {
      try await demo(nodes: count, settings: settings, console: console)
    } catch {
      throw .failure("\(error)")
    }
  }

  private static func demo(nodes count: Int, settings: SWIMSettings, console: Console) async throws
  {
    console.out(
      "Rumor demo: \(count) nodes on loopback, in this process (profile \(settings.profile.rawValue))."
    )
    var nodes: [RumorNode] = []
    do {
      for index in 1...count {
        nodes.append(
          try RumorNode.start(
            NodeConfiguration(
              name: "node-\(index)", bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0),
              settings: settings, tags: ["demo": "yes", "index": String(index)])))
      }
      let started = Date()
      for node in nodes.dropFirst() {
        try await node.join(addresses: [nodes[0].address])
      }
      guard await waitUntil(seconds: 30, { nodes.allSatisfy { aliveCount($0) == count } }) else {
        throw TransportError("the cluster did not converge within 30 s")
      }
      console.out(
        "Converged in \(seconds(since: started)): every node sees \(count) alive. As node-1 sees it:\n"
      )
      console.out(MembersCommand.table(nodes[0].members))
      let victim = nodes.remove(at: count / 2)
      console.out("\nKilling \(victim.name) (\(victim.address)): its sockets close, no goodbye.")
      let survivors = nodes
      let watchers = survivors.map { ($0.name, $0.events()) }
      let killed = Date()
      await victim.shutdown()
      try await report(watchers, victim: victim.name, since: killed, console: console)
      console.out(
        "\nEvery survivor agrees \(victim.name) has failed. Stop a node gracefully (rumor agent, SIGINT) and it shows as left instead."
      )
    } catch {
      for node in nodes { await node.shutdown() }
      throw error
    }
    for node in nodes { await node.shutdown() }
  }

  /// Prints each survivor's failure notice as it comes, in order.
  private static func report(
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
      for _ in watchers {
        guard let (name, delay) = try await group.next() else { break }
        console.out("  \(name) declared \(victim) failed after \(String(format: "%.2f", delay)) s")
      }
      group.cancelAll()
    }
  }

  private static func aliveCount(_ node: RumorNode) -> Int {
    node.members.filter { $0.state == .alive }.count
  }

  private static func seconds(since start: Date) -> String {
    String(format: "%.2f s", Date().timeIntervalSince(start))
  }

  private static func waitUntil(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if condition() { return true }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
  }
}
