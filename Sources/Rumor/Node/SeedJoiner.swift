/// Joining a cluster through its seeds, and again while alone: the one
/// implementation behind `RumorNode.start(_:joining:)`, which the agent,
/// the example service and every embedding process use.
enum SeedJoiner {
  /// How long a node may stay alone before it says so: in a fresh
  /// cluster most seeds are not up yet, so a failed try is not news.
  static let patience: Duration = .seconds(60)

  /// Joins through the configured seeds once. Throws when none answers
  /// and `seeds.mustAnswer`; otherwise a failure is logged and left to
  /// the retries.
  static func joinConfigured(_ seeds: JoinSeeds, node: RumorNode, logger: NodeLogger) async throws {
    let configured = seeds.configured.filter { !node.isOwnAddress($0) }
    guard !configured.isEmpty else { return }
    do {
      let answered = try await node.join(configured)
      logger.log(
        .notice,
        "joined the cluster through \(answered) of \(configured.count) seed\(configured.count == 1 ? "" : "s")",
        ["event": "cluster-joined", "seeds": configured.joined(separator: ",")])
    } catch {
      if seeds.mustAnswer { throw error }
      logger.log(
        .warning,
        "no configured seed answered yet (\(error)); trying again every \(seeds.retryInterval.components.seconds) s while alone",
        ["event": "join-failed", "seeds": configured.joined(separator: ",")])
    }
  }

  /// Tries every seed at once and then every `retryInterval` while the
  /// node knows no other live member, until cancelled or the node is
  /// gone. Holds the node only while trying, so that a node released
  /// without `shutdown` is not kept alive by its own retries.
  static func retryWhileAlone(_ seeds: JoinSeeds, node: RumorNode, logger: NodeLogger) -> Task<
    Void, Never
  >? {
    // Joining oneself proves nothing.
    let candidates = seeds.all.filter { !node.isOwnAddress($0) }
    guard !candidates.isEmpty else { return nil }
    let intervalSeconds = max(1, seeds.retryInterval.components.seconds)
    let patientTries = max(1, Int(patience.components.seconds / intervalSeconds))
    return Task { [weak node] in
      var failures = 0
      while !Task.isCancelled {
        guard await tryOnce(candidates, node: node, logger: logger, failures: &failures) else {
          return
        }
        if failures == patientTries {
          logger.log(
            .warning,
            "still alone after a minute: no seed answers (\(candidates.joined(separator: ", "))); trying again every \(intervalSeconds) s. Set gossip.join or RUMOR_JOIN (rumor agent --join) if the cluster is elsewhere.",
            ["event": "alone", "seeds": candidates.joined(separator: ",")])
        }
        try? await Task.sleep(for: seeds.retryInterval)
      }
    }
  }

  /// One try when the node is alone; false when the node is gone or
  /// stopped.
  private static func tryOnce(
    _ seeds: [String], node: RumorNode?, logger: NodeLogger, failures: inout Int
  ) async -> Bool {
    guard let node, !node.isStopped else { return false }
    guard node.members.filter({ $0.state == .alive }).count <= 1 else { return true }
    let answered = (try? await node.join(seeds)) ?? 0
    if answered > 0 {
      logger.log(
        .notice, "joined the cluster through \(answered) address(es) of its seeds",
        ["event": "cluster-joined", "seeds": seeds.joined(separator: ",")])
      failures = 0
    } else {
      failures += 1
    }
    return true
  }
}
