import CommandLineSupport
import Rumor

/// The `rumor` command: finds the subcommand and runs it.
enum RumorCommandLine {
  /// The version `rumor version` prints.
  static let version = "0.1.0-dev"

  /// A subcommand: its name, its line in the help, and how to run it.
  struct Entry: Sendable {
    var name: String
    var summary: String
    var run:
      @Sendable (_ arguments: [String], _ console: Console) async throws(CommandError) -> Void
  }

  static let commands: [Entry] = [
    Entry(name: "demo", summary: DemoCommand.summary, run: DemoCommand.run),
    Entry(name: "agent", summary: AgentCommand.summary, run: AgentCommand.run),
    Entry(name: "members", summary: MembersCommand.summary, run: MembersCommand.run),
    Entry(name: "rtt", summary: RTTCommand.summary, run: RTTCommand.run),
    Entry(name: "event", summary: EventCommand.summary, run: EventCommand.run),
    Entry(name: "query", summary: QueryCommand.summary, run: QueryCommand.run),
    Entry(name: "join", summary: JoinCommand.summary, run: JoinCommand.run),
    Entry(name: "leave", summary: LeaveCommand.summary, run: LeaveCommand.run),
    Entry(name: "force-leave", summary: ForceLeaveCommand.summary, run: ForceLeaveCommand.run),
    Entry(name: "keys", summary: KeysCommand.summary, run: KeysCommand.run),
    Entry(name: "tags", summary: TagsCommand.summary, run: TagsCommand.run),
    Entry(name: "monitor", summary: MonitorCommand.summary, run: MonitorCommand.run),
    Entry(name: "resolve", summary: ResolveCommand.summary, run: ResolveCommand.run),
    Entry(name: "services", summary: ServicesCommand.summary, run: ServicesCommand.run),
    Entry(name: "health", summary: HealthCommand.summary, run: HealthCommand.run),
    Entry(name: "decode", summary: DecodeCommand.summary, run: DecodeCommand.run),
    Entry(name: "keygen", summary: KeygenCommand.summary, run: KeygenCommand.run),
    Entry(name: "config", summary: ConfigCommand.summary, run: ConfigCommand.run),
    Entry(
      name: "version", summary: "Print Rumor's version",
      run: { _, console in console.out("rumor \(version)") }),
  ]

  static var help: String {
    let width = commands.map(\.name.count).max() ?? 0
    let lines = commands.map {
      "  " + $0.name.padded(to: width + 2) + $0.summary
    }
    return """
      Rumor: peer-to-peer service discovery over SWIM gossip, wire-compatible with memberlist and Serf.

      Usage: rumor <command> [options]

      Commands:
      \(lines.joined(separator: "\n"))

      Run 'rumor <command> --help' for a command's options.
      """
  }

  /// Runs the command line (without the program name) and returns the
  /// exit status.
  static func run(_ arguments: [String], console: Console) async -> Int32 {
    guard let name = arguments.first else {
      console.err(help)
      return CommandError.usageStatus
    }
    if ["-h", "--help", "help"].contains(name) {
      if arguments.count > 1, let entry = commands.first(where: { $0.name == arguments[1] }) {
        return await run([entry.name, "--help"], console: console)
      }
      console.out(help)
      return 0
    }
    if name == "--version" { return await run(["version"], console: console) }
    guard let entry = commands.first(where: { $0.name == name }) else {
      console.err("rumor: unknown command '\(name)' (see 'rumor --help')")
      return CommandError.usageStatus
    }
    do {
      try await entry.run(Array(arguments.dropFirst()), console)
      return 0
    } catch {
      console.err("rumor \(name): \(error.message)")
      return error.status
    }
  }
}
