import RumorCore
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
    /// A TTL check's renewals (`ttl` checks only).
    var ttl: TTLCheckState?
    /// The application's closure (`closure` checks only).
    var closure: ClosureCheck?

    init(service: AdvertisedService, closure: ClosureCheck? = nil) {
      self.service = service
      tracker = service.check.map(HealthTracker.init(check:))
      if let check = service.check, check.kind == .ttl { ttl = TTLCheckState(ttl: check.ttl) }
      self.closure = closure
    }

    var health: ServiceHealth { tracker?.health ?? .passing }
  }

  private struct State {
    var baseTags: [String: String] = [:]
    var entries: [String: Entry] = [:]
    var order: [String] = []
    var stopped = false
    /// Health news of the change under way, handed to the watchers by
    /// `update` as the change is made: in the order of the changes, which
    /// publishing after the node applied them did not keep (a renewal's
    /// `passing` could follow the `critical` of its own lapse).
    var news: [AdvertisedServiceStatus] = []
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
        state.entries[service.name] = Entry(service: service)
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
      try validateCheck(of: service, closure: nil)
      state.order.append(service.name)
      state.entries[service.name] = Entry(service: service)
    }
    _ = try SerfTags.encode(tags(of: state, worstCase: true))
    return tags(of: state)
  }

  /// The tags of `state`; with `worstCase`, as if every checked service
  /// were critical (the longest they can get). An advertised service's
  /// `svc.` and `health.` tags are its own: a base tag of the same key
  /// (`rumor tags --set health.redis=critical`) does not stand in for
  /// its check.
  private static func tags(of state: State, worstCase: Bool = false) -> [String: String] {
    var tags = state.baseTags
    for name in state.order {
      guard let entry = state.entries[name] else { continue }
      tags[entry.service.tagKey] = entry.service.url.description
      if worstCase, entry.tracker != nil {
        tags[entry.service.healthTagKey] = ServiceHealth.critical.rawValue
      } else if entry.health != .passing {
        tags[entry.service.healthTagKey] = entry.health.rawValue
      } else {
        tags[entry.service.healthTagKey] = nil
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

  /// Sets `set` and then removes `delete` in the tags that are not about
  /// services, in one step (Serf's `serf tags -set -delete`); returns
  /// them as they are now.
  func changeBaseTags(set: [String: String], delete: [String]) async throws -> [String: String] {
    var result: [String: String] = [:]
    try await update { state in
      state.baseTags.merge(set) { _, new in new }
      for key in delete { state.baseTags[key] = nil }
      result = state.baseTags
      return true
    }
    return result
  }

  /// A closure check needs its closure, and only a closure check takes
  /// one.
  private static func validateCheck(of service: AdvertisedService, closure: ClosureCheck?)
    throws(SettingsError)
  {
    let isClosure = service.check?.kind == .closure
    if isClosure, closure == nil {
      throw SettingsError(problems: [
        "the service '\(service.name)' has a closure check but no closure; advertise it with RumorNode.advertise(_:check:)"
      ])
    }
    if !isClosure, closure != nil {
      throw SettingsError(problems: [
        "the service '\(service.name)' is given a closure but its check is \(service.check?.kind.rawValue ?? "none")"
      ])
    }
  }

  /// Advertises `service` (replacing one of the same name) and starts its
  /// checks; a `closure` check runs `closure`. Throws, changing nothing,
  /// when the name is invalid, a closure check has no closure, or the
  /// tags would no longer fit in the metadata.
  func add(_ service: AdvertisedService, closure: ClosureCheck? = nil) async throws {
    try ServiceName.validate(service.name)
    try Self.validateCheck(of: service, closure: closure)
    var previous: Task<Void, Never>?
    try await update { state in
      previous = state.entries[service.name]?.task
      if state.entries[service.name] == nil { state.order.append(service.name) }
      state.entries[service.name] = Entry(service: service, closure: closure)
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

  /// Renews the TTL check of `name` (Consul's pass, warn and fail, with
  /// an optional note). Throws when no such service is advertised or its
  /// check is not a TTL check.
  func renew(_ name: String, status: ServiceHealth, note: String?) async throws {
    var problem: String?
    try await update { state in
      // Read under the lock, so that a renewal and an expiry see time in
      // the order they change the state.
      let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
      guard var entry = state.entries[name] else {
        problem = "no service '\(name)' is advertised by this node"
        return false
      }
      guard var ttl = entry.ttl else {
        problem =
          "the service '\(name)' is checked by \(entry.service.check?.kind.rawValue ?? "nothing"), not by a TTL check"
        return false
      }
      ttl.renew(status, note: note, now: now)
      entry.ttl = ttl
      let first = entry.lastCheck == nil
      let result = HealthCheckResult(
        passed: status != .critical, responseTime: .zero, error: ttl.explanation(at: now))
      entry.lastCheck = result
      let changed = entry.tracker?.set(ttl.health(at: now)) ?? false
      state.entries[name] = entry
      if changed || first {
        state.news.append(
          AdvertisedServiceStatus(service: entry.service, health: entry.health, lastCheck: result))
      }
      return changed
    }
    if let problem { throw SettingsError(problems: [problem]) }
  }

  private func startChecks(of service: AdvertisedService) {
    guard let check = service.check else { return }
    let host = service.url.host.isEmpty ? checkHost : service.url.host
    let closure = state.withLock { $0.entries[service.name]?.closure }
    let task: Task<Void, Never>
    switch check.kind {
    case .ttl:
      task = Task { [weak self] in
        while !Task.isCancelled {
          guard let self, let wake = await self.expireTTL(of: service) else { return }
          try? await Task.sleep(for: wake)
        }
      }
    case .closure:
      guard let closure else { return }
      task = Task { [weak self] in
        while !Task.isCancelled {
          let result = await closure.run(timeout: check.timeout)
          guard !Task.isCancelled, let self else { return }
          await self.record(result, for: service)
          try? await Task.sleep(for: check.interval)
        }
      }
    case .http, .tcp, .redis:
      task = Task { [weak self] in
        while !Task.isCancelled {
          let result = await HealthProbe.run(check, host: host, port: service.url.port)
          guard !Task.isCancelled, let self else { return }
          await self.record(result, for: service)
          try? await Task.sleep(for: check.interval)
        }
      }
    }
    let keep = state.withLock { state -> Bool in
      guard !state.stopped, state.entries[service.name]?.service == service else { return false }
      state.entries[service.name]?.task = task
      return true
    }
    if !keep { task.cancel() }
  }

  /// Applies a TTL check's expiry, if it is due, and returns how long to
  /// sleep before looking again: until the expiry, or one TTL while only a
  /// renewal can change the health. Nil when the service is gone.
  private func expireTTL(of service: AdvertisedService) async -> Duration? {
    var wake: Duration?
    try? await update { state in
      let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
      guard var entry = state.entries[service.name], entry.service == service,
        let ttl = entry.ttl
      else { return false }
      let next = ttl.nextChange(after: now)
      wake = next.map { .nanoseconds($0.nanoseconds - now.nanoseconds) } ?? ttl.ttl
      guard let tracker = entry.tracker, tracker.health != ttl.health(at: now) else {
        return false
      }
      entry.tracker?.set(ttl.health(at: now))
      let result = HealthCheckResult(
        passed: false, responseTime: .zero, error: ttl.explanation(at: now))
      entry.lastCheck = result
      state.entries[service.name] = entry
      state.news.append(
        AdvertisedServiceStatus(service: service, health: entry.health, lastCheck: result))
      return true
    }
    return wake
  }

  private func record(_ result: HealthCheckResult, for service: AdvertisedService) async {
    // Only a change of health is worth a new incarnation and its gossip.
    // The worst case was checked to fit when the service was added, so
    // this cannot fail for size; a stopped node has nothing to repair.
    try? await update { state in
      guard var entry = state.entries[service.name], entry.service == service else { return false }
      let first = entry.lastCheck == nil
      entry.lastCheck = result
      let changed = entry.tracker?.record(passed: result.passed) ?? false
      state.entries[service.name] = entry
      if changed || first {
        state.news.append(
          AdvertisedServiceStatus(service: service, health: entry.health, lastCheck: result))
      }
      return changed
    }
  }

  /// Hands services' new health (or first results) to every watcher.
  /// Called under the state lock, so watchers hear changes in the order
  /// they were made; a yield only queues the value.
  private func publish(_ news: [AdvertisedServiceStatus]) {
    guard !news.isEmpty else { return }
    for watcher in watchers.withLock({ $0.continuations }) {
      for status in news { watcher.yield(status) }
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
            publish(next.news)
            next.news = []
            state = next
            continuation.resume(returning: .success(()))
            return
          }
          _ = try SerfTags.encode(Self.tags(of: next, worstCase: true))
          let meta = try SerfTags.encode(Self.tags(of: next))
          publish(next.news)
          next.news = []
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
