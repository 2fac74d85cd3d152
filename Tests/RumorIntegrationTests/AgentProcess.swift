import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The directory holding the built executables (next to the test bundle).
let buildDirectory: URL = {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  return executable.deletingLastPathComponent()
}()

/// A `rumor agent` child process on a loopback port.
final class AgentProcess: Sendable {
  let name: String
  let child: ChildProcess
  let address: NodeAddress?
  /// Where its HTTP API listens, when `arguments` turned it on.
  let httpAddress: NodeAddress?

  /// Starts `rumor agent --name NAME --bind 127.0.0.1:PORT …` (local
  /// profile) and waits until it says where it listens. Its HTTP API is
  /// off unless `arguments` hold `--http` (so that test agents never take
  /// the machine's default API port).
  init(name: String, port: UInt16 = 0, arguments: [String] = []) throws {
    self.name = name
    let http = arguments.contains("--http") ? [] : ["--http", "off"]
    child = try ChildProcess(
      buildDirectory.appendingPathComponent("rumor"),
      ["agent", "--name", name, "--bind", "127.0.0.1:\(port)", "--profile", "local"] + http
        + arguments)
    let deadline = Date().addingTimeInterval(15)
    var found: NodeAddress?
    while Date() < deadline && child.isRunning && found == nil {
      if let line = child.log.split(separator: "\n").first(where: { $0.contains(" started ") }) {
        let words = line.split(separator: " ")
        if let on = words.firstIndex(of: "on"), on + 1 < words.count {
          found = NodeAddress(String(words[on + 1].trimmingCharacters(in: .punctuationCharacters)))
        }
      }
      if found == nil { usleep(20_000) }
    }
    address = found
    httpAddress = child.log.split(separator: "\n").first { $0.contains(" HTTP API on http://") }
      .flatMap { line in
        line.split(separator: " ").first { $0.hasPrefix("http://") }
          .flatMap { NodeAddress(String($0.dropFirst("http://".count))) }
      }
    guard found != nil else {
      child.stop(signal: SIGKILL)
      throw AgentFailure("agent \(name) did not start: \(child.log)")
    }
  }

  /// Everything the agent printed so far.
  var log: String { child.log }

  /// Sends `signal` and waits for the agent to exit.
  func stop(signal: Int32 = SIGINT) { child.stop(signal: signal) }

  /// The members this agent knows, asked over the read-only push-pull.
  func members(keys: [[UInt8]] = []) async throws -> [Member] {
    guard let address else { throw AgentFailure("agent \(name) has no address") }
    return try await PeerQuery.members(of: address, keys: keys, timeout: .seconds(3))
  }
}

/// A test setup failure, with the agents' output.
struct AgentFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Polls `condition` every 100 ms for at most `seconds` of time in which
/// this test could run: a sleep that overran by more than a second (the
/// concurrency pool was held by CPU-bound tests running in parallel)
/// moves the deadline back by the overrun, up to five minutes in all.
func eventually(within seconds: Double, _ condition: () async -> Bool) async -> Bool {
  var deadline = Date().addingTimeInterval(seconds)
  var extended = 0.0
  while Date() < deadline {
    if await condition() { return true }
    let before = Date()
    try? await Task.sleep(for: .milliseconds(100))
    let overrun = Date().timeIntervalSince(before) - 0.1
    if overrun > 1, extended < 300 {
      let extra = min(overrun, 300 - extended)
      deadline += extra
      extended += extra
    }
  }
  return await condition()
}

/// Runs `rumor ARGUMENTS` (a command such as `rumor keys`) and returns its
/// exit status and output; killed after `seconds`.
func rumorCommand(_ arguments: [String], within seconds: Double = 30) async throws
  -> (status: Int32, output: String)
{
  let child = try ChildProcess(buildDirectory.appendingPathComponent("rumor"), arguments)
  await child.exit(within: seconds)
  return (child.process.terminationStatus, child.log)
}
