import RumorCore
import RumorDiscovery
import Synchronization

extension ServiceRegistry {
  /// What `watch` yields: the service's answer, or why it has none.
  public typealias WatchUpdate = Result<Resolution, ResolutionError>

  /// Watches `name`: yields its answer at once, then each time the answer
  /// changes (another URL or source, or the chosen instance's health or
  /// membership changed), never the same answer twice in a row. A
  /// `.failure` says the service stopped resolving and why; the next
  /// `.success` says it is back.
  ///
  /// A watcher follows the primary: the first eligible instance of the
  /// step that answers, as `backupURL` counts it, because round robin
  /// would make every lookup a change. Changes are noticed when the node
  /// publishes a new view (the node's thread tells the watcher; nothing
  /// polls it) and when a call's outcome reported here moves a breaker.
  /// The stream ends when the node stops, or when its consumer stops
  /// iterating.
  ///
  /// ```swift
  /// for await update in registry.watch("redis") {
  ///   switch update {
  ///   case .success(let redis): reconnect(to: redis.url)
  ///   case .failure(let error): log(error.description)
  ///   }
  /// }
  /// ```
  public func watch(_ name: String, path: String = "") -> AsyncStream<WatchUpdate> {
    let (updates, output) = AsyncStream.makeStream(
      of: WatchUpdate.self, bufferingPolicy: .bufferingNewest(1))
    let (kicks, kick) = AsyncStream.makeStream(
      of: Void.self, bufferingPolicy: .bufferingNewest(1))
    let subscription = watchers.withLock { $0.add(kick) }
    watcherCount.add(1, ordering: .relaxed)
    let snapshots = node?.snapshots()
    let forwarding = Task {
      if let snapshots {
        for await _ in snapshots { kick.yield() }
        // The node stopped: so does the watch.
        kick.finish()
      }
    }
    let timing = Task { [breakers = outcomesBoard] in
      // An open circuit turns half-open with time alone: look again each
      // second while some breaker has something to say.
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(1))
        if !breakers.isQuiet { kick.yield() }
      }
    }
    let watching = Task {
      var last: WatchUpdate?
      func look() {
        let now: WatchUpdate
        do {
          now = .success(try primary(name, path: path))
        } catch {
          now = .failure(error)
        }
        if let last, Self.sameAnswer(last, now) { return }
        last = now
        output.yield(now)
      }
      look()
      for await _ in kicks { look() }
      output.finish()
    }
    output.onTermination = { [weak self] _ in
      watching.cancel()
      forwarding.cancel()
      timing.cancel()
      kick.finish()
      self?.watchers.withLock { $0.remove(subscription) }
      self?.watcherCount.subtract(1, ordering: .relaxed)
    }
    return updates
  }

  /// Tells every watcher to look again (a reported outcome may have moved
  /// a breaker).
  func wakeWatchers() {
    guard watcherCount.load(ordering: .relaxed) > 0 else { return }
    let kicks = watchers.withLock { $0.continuations }
    for kick in kicks { kick.yield() }
  }

  /// Whether two updates give a caller the same answer: the same URL and
  /// source and the same instance in the same health and state, or both
  /// no answer. The explanation's wording does not count.
  static func sameAnswer(_ one: WatchUpdate, _ other: WatchUpdate) -> Bool {
    switch (one, other) {
    case (.failure, .failure):
      return true
    case (.success(let one), .success(let other)):
      return one.url == other.url && one.source == other.source
        && one.instance?.node == other.instance?.node
        && one.instance?.health == other.instance?.health
        && one.instance?.memberState == other.instance?.memberState
    default:
      return false
    }
  }
}
