import RumorDiscovery

extension RumorNode {
  /// Advertises `service` checked by `check`, a closure of the
  /// application's that returns whether the service is well. It runs on
  /// the schedule of `service.check` (interval, timeout, thresholds; the
  /// defaults when it has none), and a run that does not return within
  /// the timeout fails. Its result is gossiped as `health.<name>` like any
  /// other check's. Replaces a service of the same name.
  public func advertise(
    _ service: AdvertisedService, check: @escaping @Sendable () async -> Bool
  ) async throws {
    var checked = service
    var schedule = service.check ?? HealthCheck(kind: .closure)
    schedule.kind = .closure
    checked.check = schedule
    try await advertiser.add(checked, closure: ClosureCheck(check))
  }

  /// Renews the TTL check of the advertised service `name` (a service
  /// whose check is `HealthCheck.ttl(_:)`, `type: ttl` in a file): it
  /// holds for the check's TTL, after which the service is `critical`
  /// until renewed again, as Consul's TTL checks. `status` is what to
  /// gossip meanwhile (Consul's pass, warn and fail) and `note` says why;
  /// it shows as the last check's error. Throws when this node advertises
  /// no such service or its check is not a TTL check.
  public func renew(
    service name: String, status: ServiceHealth = .passing, note: String? = nil
  ) async throws {
    try await advertiser.renew(name, status: status, note: note)
  }
}
