#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Starts a detached POSIX thread running `body`: the owner threads of
/// nodes and responders.
///
/// A pthread rather than Foundation's `Thread`: Foundation would be linked
/// into every agent for this alone, and loading it costs several
/// megabytes of resident memory per process.
/// Shared with the benchmarks' worker threads (`package`), which must not
/// load Foundation either.
package enum OwnerThread {
  /// Runs `body` on a new detached thread named `name` (cut to the 15
  /// bytes Linux keeps). Throws if the system cannot create a thread.
  package static func start(name: String, _ body: @escaping @Sendable () -> Void)
    throws(TransportError)
  {
    let box = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(
      &thread, nil,
      { argument in
        guard let argument else { return nil }
        let body = Unmanaged<Body>.fromOpaque(argument).takeRetainedValue()
        body.nameThisThread()
        body.run()
        return nil
      }, box)
    guard created == 0 else {
      Unmanaged<Body>.fromOpaque(box).release()
      throw TransportError(
        "cannot start thread \(name): \(String(cString: strerror(created)))", code: created)
    }
    pthread_detach(thread)
  }

  /// The closure, boxed so that its pointer can cross `pthread_create`.
  private final class Body {
    let name: String
    let run: @Sendable () -> Void
    init(name: String, run: @escaping @Sendable () -> Void) {
      self.name = name
      self.run = run
    }

    /// Names the calling thread for `top -H`, `ps -L` and debuggers,
    /// through procfs (pthread_setname_np is not in Swift's Glibc module).
    /// Best effort: a thread without a name runs the same.
    func nameThisThread() {
      let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
      guard descriptor >= 0 else { return }
      defer { close(descriptor) }
      let bytes = Array(name.utf8.prefix(15))
      // A procfs file, not a socket: no peer, no SIGPIPE.
      _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
  }
}
