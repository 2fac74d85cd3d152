import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Makes sure the redis-server this benchmark started does not outlive
/// it when the run is interrupted: SIGINT, SIGTERM or SIGHUP send the
/// child SIGTERM before the benchmark exits. (A normal exit or a thrown
/// error stops it through `RedisServer.stop()`, called from a `defer`.)
///
/// The handler only loads an atomic and calls `kill`, `waitpid`,
/// `nanosleep` and `_exit`, all of which are safe inside a signal handler.
enum ChildProcessGuard {
  /// The child's process id; 0 when there is none.
  private static let child = Atomic<Int32>(0)

  /// Remembers `pid` and installs the handlers.
  static func watch(_ pid: pid_t) {
    child.store(pid, ordering: .sequentiallyConsistent)
    for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
      signal(signalNumber, handleSignal)
    }
  }

  /// Forgets the child (it has been stopped and reaped).
  static func release() {
    child.store(0, ordering: .sequentiallyConsistent)
  }

  /// Stops the child and reaps it (up to 2 s, then SIGKILL), so that it
  /// is neither left running nor left a zombie for an init that may not
  /// reap, then exits as the signal would have.
  private static let handleSignal: @convention(c) (Int32) -> Void = { signalNumber in
    let pid = ChildProcessGuard.child.load(ordering: .sequentiallyConsistent)
    if pid > 0 {
      kill(pid, SIGTERM)
      var status: Int32 = 0
      var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
      var reaped = false
      for _ in 0..<200 where !reaped {
        reaped = waitpid(pid, &status, WNOHANG) != 0
        if !reaped { nanosleep(&pause, nil) }
      }
      if !reaped {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
      }
    }
    _exit(128 + signalNumber)
  }
}
