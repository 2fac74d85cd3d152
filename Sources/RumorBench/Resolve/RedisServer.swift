#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A redis-server this benchmark starts on a free loopback port, with no
/// persistence (nothing is written to disk), and stops by its process id.
final class RedisServer {
  /// The executable started.
  let executable: String
  /// The port it listens on, on 127.0.0.1 only.
  let port: UInt16
  /// The child's process id; 0 once stopped.
  private var pid: pid_t

  /// The first executable file named `redis-server` in the directories
  /// of `path` (a `PATH` value), or nil.
  static func find(onPath path: String?) -> String? {
    for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
      let candidate = String(directory) + "/redis-server"
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }

  /// Starts `executable` on a free port. Its output goes to /dev/null.
  init(executable: String) throws {
    self.executable = executable
    port = try LoopbackSocket.freePort()
    let arguments = [
      executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
      "no", "--daemonize", "no", "--logfile", "",
      // Even with persistence off, keep any file redis might write out of
      // the working tree the benchmark was started in.
      "--dir", "/tmp",
    ]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    defer { for argument in argv { free(argument) } }
    guard argv.allSatisfy({ $0 != nil }) else { throw BenchError("strdup failed") }
    argv.append(nil)
    // redis-server needs no environment; an empty one keeps this
    // process's variables (and the Swift 6 checker's objection to the
    // mutable `environ` global) out of it.
    let environment: [UnsafeMutablePointer<CChar>?] = [nil]

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)

    var child = pid_t()
    let status = posix_spawn(&child, executable, &actions, nil, argv, environment)
    guard status == 0 else {
      throw BenchError("cannot start \(executable): \(String(cString: strerror(status)))")
    }
    pid = child
    ChildProcessGuard.watch(child)
  }

  deinit {
    stop()
  }

  /// A connection once the server answers PING, trying for up to
  /// `seconds`. Fails early if the server exits (a port taken meanwhile,
  /// a bad option).
  func connectWhenReady(within seconds: Double) throws -> RedisClient {
    let deadline = Clocks.monotonic() + UInt64(seconds * 1e9)
    var lastProblem = "no attempt"
    while Clocks.monotonic() < deadline {
      if let exit = exitStatusIfExited() {
        throw BenchError(
          "\(executable) on port \(port) exited (\(exit)) before accepting connections")
      }
      do {
        let client = try RedisClient(port: port)
        let reply = try client.command(["PING"])
        guard reply == .status("PONG") else {
          throw BenchError("PING answered \(reply)")
        }
        return client
      } catch {
        lastProblem = "\(error)"
      }
      usleep(20_000)
    }
    throw BenchError(
      "\(executable) did not accept connections on 127.0.0.1:\(port) within \(seconds) s (last: \(lastProblem))"
    )
  }

  /// Stops the server: SIGTERM, up to 3 s for it to exit, then SIGKILL.
  /// Safe to call twice.
  func stop() {
    guard pid > 0 else { return }
    kill(pid, SIGTERM)
    var reaped = false
    for _ in 0..<300 {
      if exitStatusIfExited() != nil {
        reaped = true
        break
      }
      usleep(10_000)
    }
    if !reaped && pid > 0 {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
    pid = 0
    ChildProcessGuard.release()
  }

  /// How the child ended, reaping it, or nil while it runs.
  private func exitStatusIfExited() -> String? {
    guard pid > 0 else { return "already stopped" }
    var status: Int32 = 0
    let result = waitpid(pid, &status, WNOHANG)
    if result == 0 { return nil }
    if result < 0 && errno == EINTR { return nil }
    pid = 0
    ChildProcessGuard.release()
    guard result > 0 else { return "lost track of it: \(LoopbackSocket.lastError())" }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
    let signalNumber = status & 0x7f
    return signalNumber == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signalNumber)"
  }
}
