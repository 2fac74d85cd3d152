#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Starts a detached, named POSIX thread: the benchmarks' worker threads,
/// without Foundation's `Thread` (which would add megabytes to the peak
/// RSS they report).
enum BenchThread {
  /// Runs `body` on a new thread named `name` (cut to the 15 bytes Linux
  /// keeps); throws if the system cannot create one.
  static func start(name: String, _ body: @escaping @Sendable () -> Void) throws {
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
      throw BenchError("cannot start thread \(name): \(String(cString: strerror(created)))")
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

    /// Names the calling thread for `top -H` and `ps -L`, through procfs
    /// (pthread_setname_np is not in Swift's Glibc module).
    func nameThisThread() {
      let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
      guard descriptor >= 0 else { return }
      defer { close(descriptor) }
      let bytes = Array(name.utf8.prefix(15))
      _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
  }
}
