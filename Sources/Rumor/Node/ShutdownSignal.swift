import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// SIGINT (Ctrl-C) and SIGTERM (`kill`, `docker stop`, Kubernetes ending
/// a pod): once this exists they no longer kill the process, and `next()`
/// says which one came, so that the service can leave the cluster first.
///
/// ```swift
/// let signals = ShutdownSignal()
/// let node = try RumorNode.start(configuration)
/// _ = await signals.next()                 // "SIGTERM"
/// await node.leave(timeout: .seconds(3))   // seen as left, not failed
/// await node.shutdown()
/// ```
public final class ShutdownSignal: Sendable {
  private let stream: AsyncStream<String>
  // The sources must live as long as this object: a released source
  // stops delivering. Set once here, never mutated; DispatchSource is
  // thread-safe, which `nonisolated(unsafe)` records.
  private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

  /// Starts catching both signals.
  public init() {
    let (stream, continuation) = AsyncStream<String>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { continuation.yield(name) }
      source.resume()
      sources.append(source)
    }
    self.stream = stream
    self.sources = sources
  }

  /// Waits for the next signal and returns its name.
  public func next() async -> String {
    for await name in stream { return name }
    return "end of signals"
  }
}
