import RumorDiscovery
import RumorWire
import Synchronization

/// A service this node advertises, with what its checks found.
public struct AdvertisedServiceStatus: Hashable, Sendable {
  /// The service as advertised.
  public var service: AdvertisedService
  /// The health gossiped for it.
  public var health: ServiceHealth
  /// The latest check, nil before the first one (or without a check).
  public var lastCheck: HealthCheckResult?
}

/// Keeps a node's tags in step with the services it runs: one `svc.<name>`
/// tag each, and a `health.<name>` tag when a service is not passing (no
/// tag means passing, which keeps the 512-byte metadata budget for
/// services). Each service with a check is checked on its own task, and
/// only a change of health changes the tags, so steady checks cost no
/// gossip.
final class ServiceAdvertiser: Sendable {
  private struct Entry {
    var service: AdvertisedService
    var tracker: HealthTracker?
    var lastCheck: HealthCheckResult?
    var task: Task<Void, Never>?

    var health: ServiceHealth { tracker?.health ?? .passing }
  }

  private struct State {
    var baseTags: [String: String] = [:]
    var entries: [String: Entry] = [:]
    var order: [String] = []
    var stopped = false
  }

  /// Hands encoded metadata to the node's owner thread; `done` runs once
  /// it is applied. False when the node has stopped.
  typealias Submit =
    @Sendable ([UInt8], _ done: @escaping @Sendable (SettingsError?) -> Void) ->
    Bool

  private let state = Mutex(State())
  /// Who hears of health changes (`RumorNode.serviceHealthChanges()`).
  private let watchers = Mutex(Subscribers<AdvertisedServiceStatus>())
  private let checkHost: String
  private let submit: Submit

  /// `checkHost` is where services with an empty host are checked (the
  /// node's advertised address: what other members will call).
  init(
    baseTags: [String: String], services: [AdvertisedService], checkHost: String,
    submit: @escaping Submit
  ) {
    state.withLock { state in
      state.baseTags = baseTags
      for service in services where state.entries[service.name] == nil {
        state.order.append(service.name)
        state.entries[service.name] = Entry(
          service: service, tracker: service.check.map(HealthTracker.init(check:)))
      }
    }
    self.checkHost = checkHost
    self.submit = submit
  }

  /// The tags a node starts with: base tags, then each service's before
  /// any check has run. Throws when they do not fit in the metadata.
  static func initialTags(baseTags: [String: String], services: [AdvertisedService]) throws
    -> [String: String]
  {
    var state = State()
    state.baseTags = baseTags
    for service in services {
      try ServiceName.validate(service.name)
      state.order.append(service.name)
      state.entries[service.name] = Entry(
        service: service, tracker: service.check.map(HealthTracker.init(check:)))
    }
    _ = try SerfTags.encode(tags(of: state, worstCase: true))
    return tags(of: state)
  }

  /// The tags of `state`; with `worstCase`, as if every checked service
  /// were critical (the longest they can get).
  private static func tags(of state: State, worstCase: Bool = false) -> [String: String] {
    var tags = state.baseTags
    for name in state.order {
      guard let entry = state.entries[name] else { continue }
      tags[entry.service.tagKey] = entry.service.url.description
      if worstCase, entry.tracker != nil {
        tags[entry.service.healthTagKey] = ServiceHealth.critical.rawValue
      } else if entry.health != .passing {
        tags[entry.service.healthTagKey] = entry.health.rawValue
      }
    }
    return tags
  }

  /// Every advertised service with its health, in the order added.
  var statuses: [AdvertisedServiceStatus] {
    state.withLock { state in
      state.order.compactMap { name in
        state.entries[name].map {
          AdvertisedServiceStatus(service: $0.service, health: $0.health, lastCheck: $0.lastCheck)
        }
      }
    }
  }

  /// Replaces the tags that are not about services.
  func setBaseTags(_ tags: [String: String]) async throws {
    try await update { state in
      state.baseTags = tags
      return true
    }
  }

  /// Advertises `service` (replacing one of the same name) and starts its
  /// checks. Throws, changing nothing, when the name is invalid or the
  /// tags would no longer fit in the metadata.
  func add(_ service: AdvertisedService) async throws {
    try ServiceName.validate(service.name)
    var previous: Task<Void, Never>?
    try await update { state in
      previous = state.entries[service.name]?.task
      if state.entries[service.name] == nil { state.order.append(service.name) }
      state.entries[service.name] = Entry(
        service: service, tracker: service.check.map(HealthTracker.init(check:)))
      return true
    }
    previous?.cancel()
    startChecks(of: service)
  }

  /// Stops advertising `name`; false when it was not advertised.
  @discardableResult
  func remove(_ name: String) async throws -> Bool {
    var task: Task<Void, Never>?
    var found = false
    try await update { state in
      guard let entry = state.entries.removeValue(forKey: name) else { return false }
      found = true
      task = entry.task
      state.order.removeAll { $0 == name }
      return true
    }
    task?.cancel()
    return found
  }

  /// Starts the checks of the services the node was started with.
  func startChecks() {
    let services = state.withLock { state in state.order.compactMap { state.entries[$0]?.service } }
    for service in services { startChecks(of: service) }
  }

  /// Cancels every check; the node is stopping.
  func stop() {
    let tasks = state.withLock { state in
      state.stopped = true
      return state.entries.values.compactMap(\.task)
    }
    for task in tasks { task.cancel() }
    let ended = watchers.withLock { watchers in
      defer { watchers = Subscribers() }
      return watchers.continuations
    }
    for watcher in ended { watcher.finish() }
  }

  private func startChecks(of service: AdvertisedService) {
    guard let check = service.check else { return }
    let host = service.url.host.isEmpty ? checkHost : service.url.host
    let task = Task { [weak self] in
      while !Task.isCancelled {
        let result = await HealthProbe.run(check, host: host, port: service.url.port)
        guard !Task.isCancelled, let self else { return }
        await self.record(result, for: service)
        try? await Task.sleep(for: check.interval)
      }
    }
    let keep = state.withLock { state -> Bool in
      guard !state.stopped, state.entries[service.name]?.service == service else { return false }
      state.entries[service.name]?.task = task
      return true
    }
    if !keep { task.cancel() }
  }

  private func record(_ result: HealthCheckResult, for service: AdvertisedService) async {
    // Only a change of health is worth a new incarnation and its gossip.
    // The worst case was checked to fit when the service was added, so
    // this cannot fail for size; a stopped node has nothing to repair.
    var news: AdvertisedServiceStatus?
    try? await update { state in
      guard var entry = state.entries[service.name], entry.service == service else { return false }
      let first = entry.lastCheck == nil
      entry.lastCheck = result
      let changed = entry.tracker?.record(passed: result.passed) ?? false
      state.entries[service.name] = entry
      if changed || first {
        news = AdvertisedServiceStatus(service: service, health: entry.health, lastCheck: result)
      }
      return changed
    }
    if let news {
      for watcher in watchers.withLock({ $0.continuations }) { watcher.yield(news) }
    }
  }

  /// A new stream of this node's services' health: each service's first
  /// check result, then each change of its health. It ends when the node
  /// stops.
  func healthChanges() -> AsyncStream<AdvertisedServiceStatus> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: AdvertisedServiceStatus.self, bufferingPolicy: .bufferingNewest(1_000))
    let id: Int? = state.withLock { state in
      state.stopped ? nil : watchers.withLock { $0.add(continuation) }
    }
    guard let id else {
      continuation.finish()
      return stream
    }
    continuation.onTermination = { [weak self] _ in
      self?.watchers.withLock { $0.remove(id) }
    }
    return stream
  }

  /// Applies `change` and, when it says the tags changed, hands them to
  /// the node, under the lock so that concurrent updates reach the node
  /// in the order they were made. If the tags could not fit in the
  /// metadata (every service critical, the longest they get), nothing
  /// changes and this throws.
  private func update(_ change: (inout State) -> Bool = { _ in true }) async throws {
    let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
      do {
        try state.withLock { state throws in
          var next = state
          guard change(&next) else {
            state = next
            continuation.resume(returning: .success(()))
            return
          }
          _ = try SerfTags.encode(Self.tags(of: next, worstCase: true))
          let meta = try SerfTags.encode(Self.tags(of: next))
          state = next
          let accepted = submit(meta) { failure in
            continuation.resume(returning: failure.map { .failure($0) } ?? .success(()))
          }
          if !accepted {
            continuation.resume(
              returning: .failure(SettingsError(problems: ["the node has shut down"])))
          }
        }
      } catch {
        continuation.resume(returning: .failure(error))
      }
    }
    try outcome.get()
  }
}
