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

/// A `rumor agent` child process: started on a free loopback port, its
/// output collected, and always ended by PID (SIGKILL as a last resort).
final class AgentProcess: @unchecked Sendable {
  // @unchecked: `output` is appended on the pipe's reading thread and read
  // by the test under `lock`; everything else is set once in `init`.
  let name: String
  let process = Process()
  private let pipe = Pipe()
  private let lock = NSLock()
  private var output = ""
  private(set) var address: NodeAddress?

  /// Starts `rumor agent --name NAME --bind 127.0.0.1:PORT …` and waits
  /// until it says where it listens.
  init(name: String, port: UInt16 = 0, arguments: [String] = []) throws {
    self.name = name
    process.executableURL = buildDirectory.appendingPathComponent("rumor")
    process.arguments =
      ["agent", "--name", name, "--bind", "127.0.0.1:\(port)", "--profile", "local"] + arguments
    process.standardOutput = pipe
    process.standardError = pipe
    pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
      let data = handle.availableData
      guard let self, !data.isEmpty else { return }
      self.lock.lock()
      self.output += String(decoding: data, as: UTF8.self)
      self.lock.unlock()
    }
    try process.run()
    let deadline = Date().addingTimeInterval(15)
    while Date() < deadline && process.isRunning {
      if let line = log.split(separator: "\n").first(where: { $0.contains(" started ") }),
        let bound = line.split(separator: " ").firstIndex(of: "on"),
        let text = line.split(separator: " ").dropFirst(bound + 1).first,
        let parsed = NodeAddress(String(text.trimmingCharacters(in: .punctuationCharacters)))
      {
        address = parsed
        return
      }
      usleep(20_000)
    }
    stop(signal: SIGKILL)
    throw AgentFailure("agent \(name) did not start: \(log)")
  }

  /// Everything the agent printed so far.
  var log: String {
    lock.lock()
    defer { lock.unlock() }
    return output
  }

  /// Sends `signal` and waits (up to 10 s) for the process to exit.
  func stop(signal: Int32 = SIGINT) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// The members this agent knows, asked over the read-only push-pull.
  func members() async throws -> [Member] {
    guard let address else { throw AgentFailure("agent \(name) has no address") }
    return try await PeerQuery.members(of: address, timeout: .seconds(3))
  }

  deinit {
    stop(signal: SIGKILL)
  }
}

/// A test setup failure, with the agents' output.
struct AgentFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Polls `condition` every 100 ms for at most `seconds`.
func eventually(within seconds: Double, _ condition: () async -> Bool) async -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if await condition() { return true }
    try? await Task.sleep(for: .milliseconds(100))
  }
  return await condition()
}
