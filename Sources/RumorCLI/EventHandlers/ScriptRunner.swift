import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Runs one handler script as Serf does: `/bin/sh -c SCRIPT` with the
/// agent's environment plus Serf's variables, the event's text on
/// standard input, and what it prints on standard output taken (the
/// response, for a query). Blocking: call it off the protocol thread.
enum ScriptRunner {
  /// What a run gave.
  struct Outcome: Sendable {
    /// The exit status, or nil when the script was killed at its deadline.
    var status: Int32?
    /// Standard output, at most `maximumOutput` bytes.
    var output: [UInt8]
  }

  /// The most output kept (more is read and dropped).
  static let maximumOutput = 64 * 1024

  /// Makes writes to a pipe whose reader is gone fail with EPIPE instead
  /// of ending the agent: called by `rumor agent` (its own process) when it
  /// runs handlers. The library never changes signal dispositions.
  static func ignoreBrokenPipes() {
    signal(SIGPIPE, SIG_IGN)
  }

  /// Runs `script` with `variables` added to the agent's environment and
  /// `input` on standard input; kills it (SIGKILL) after `timeout` seconds.
  static func run(_ script: String, variables: [String: String], input: [UInt8], timeout: Double)
    -> Result<Outcome, ScriptError>
  {
    var toChild: [Int32] = [-1, -1]
    var fromChild: [Int32] = [-1, -1]
    guard pipe(&toChild) == 0 else { return .failure(ScriptError("cannot create a pipe")) }
    guard pipe(&fromChild) == 0 else {
      close(toChild[0])
      close(toChild[1])
      return .failure(ScriptError("cannot create a pipe"))
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
    for descriptor in toChild + fromChild {
      posix_spawn_file_actions_addclose(&actions, descriptor)
    }

    var merged = inheritedEnvironment()
    for (key, value) in variables { merged[key] = value }
    var environment: [String] = []
    for (key, value) in merged { environment.append(key + "=" + value) }
    let arguments: [String] = ["/bin/sh", "-c", script]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) }
    envp.append(nil)
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }
    var child = pid_t()
    let spawned = posix_spawn(&child, "/bin/sh", &actions, nil, &argv, &envp)
    close(toChild[0])
    close(fromChild[1])
    guard spawned == 0 else {
      close(toChild[1])
      close(fromChild[0])
      return .failure(ScriptError("cannot run /bin/sh: \(String(cString: strerror(spawned)))"))
    }
    // The input is small (a payload or a member line). A script that does
    // not read it makes the write fail with EPIPE: the agent ignores
    // SIGPIPE once it runs handlers (`ignoreBrokenPipes`).
    _ = fcntl(toChild[1], F_SETFL, fcntl(toChild[1], F_GETFL) | O_NONBLOCK)
    var written = 0
    while written < input.count {
      let count = input.withUnsafeBytes { raw in
        write(toChild[1], raw.baseAddress.map { $0 + written }, raw.count - written)
      }
      guard count > 0 else { break }
      written += count
    }
    close(toChild[1])

    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    let deadline = monotonicSeconds() + timeout
    var killed = false
    while true {
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 {
        kill(child, SIGKILL)
        killed = true
        break
      }
      var watch = pollfd(fd: fromChild[0], events: Int16(POLLIN), revents: 0)
      let waitMilliseconds = Int32(min(remaining * 1000, 1000)) + 1
      let ready = poll(&watch, 1, waitMilliseconds)
      if ready < 0 && errno != EINTR { break }
      guard ready > 0 else { continue }
      let count = chunk.withUnsafeMutableBytes { read(fromChild[0], $0.baseAddress, $0.count) }
      if count <= 0 { break }
      if output.count < maximumOutput {
        output += chunk[0..<min(count, maximumOutput - output.count)]
      }
    }
    close(fromChild[0])
    var status: Int32 = 0
    // The output closed: the script is ending. Wait for it, still bounded.
    while waitpid(child, &status, killed ? 0 : WNOHANG) == 0 {
      if monotonicSeconds() > deadline {
        kill(child, SIGKILL)
        killed = true
      } else {
        usleep(5_000)
      }
    }
    let signalNumber = status & 0x7f
    let code = signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
    return .success(Outcome(status: killed ? nil : code, output: output))
  }

  /// The agent's own environment, read from /proc (the `environ` global is
  /// not safe to read under Swift 6's concurrency checking).
  static func inheritedEnvironment() -> [String: String] {
    var variables: [String: String] = [:]
    guard let bytes = SystemFile.bytes(at: "/proc/self/environ") else { return variables }
    for entry in bytes.split(separator: 0) {
      guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
      let key = String(decoding: entry[..<equals], as: UTF8.self)
      variables[key] = String(decoding: entry[entry.index(after: equals)...], as: UTF8.self)
    }
    return variables
  }

  private static func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }
}

/// A handler script could not be run.
struct ScriptError: Error, CustomStringConvertible {
  /// What went wrong.
  var description: String
  init(_ description: String) { self.description = description }
}
