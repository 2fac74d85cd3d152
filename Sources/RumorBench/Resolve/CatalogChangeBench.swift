import Rumor

/// What a membership change costs now that the node's thread keeps the
/// catalog: the owner's incremental update for one changed member (at
/// the fixture's 1,000 members and at 10,000), the full build it replaced
/// (what the first lookup after a change used to pay on the caller's
/// thread), and the first `url(for:)` after a published change.
struct CatalogChangeBench {
  /// Changes timed one by one in each section.
  let changes: Int

  /// Every section's figures.
  struct Result: Sendable {
    /// `ServiceCatalog(members:)` over the 1,000 members, wall time.
    let fullBuild: Percentiles<UInt64>
    /// `CatalogBuilder.apply` of one changed member among 1,000 (thread CPU).
    let change: Percentiles<UInt64>
    /// The same among 10,000 members.
    let largeChange: Percentiles<UInt64>
    /// The first `url(for:)` after each published change, wall time.
    let firstLookup: Percentiles<UInt64>
    /// Outputs folded.
    let digest: UInt64
  }

  /// The member count of the large section.
  static let largeMemberCount = 10_000

  /// Times every section over `fixture`.
  func run(fixture: ResolveFixture) throws -> Result {
    var digest: UInt64 = 0
    var fullBuild: [UInt64] = []
    for round in 0..<min(changes, 200) + 5 {
      let start = Clocks.monotonic()
      let catalog = ServiceCatalog(members: fixture.members)
      let end = Clocks.monotonic()
      if round >= 5 { fullBuild.append(end &- start) }
      digest = Digest.mix(digest, UInt64(catalog.instances.count))
    }
    let change = try timeChanges(members: fixture.members, digest: &digest)
    let large = try timeChanges(
      members: try ResolveFixture.makeMembers(count: Self.largeMemberCount), digest: &digest)

    // The first lookup after a change: the owner publishes, then one
    // lookup is timed; it takes the new catalog from the feed.
    var builder = CatalogBuilder()
    builder.apply(changed: fixture.members)
    let feed = CatalogFeed()
    feed.publish(builder.catalog)
    let registry = ServiceRegistry(
      configuration: fixture.configuration, feed: feed, variables: [:])
    let names = fixture.serviceNames
    for index in 0..<1_000 {
      digest = Digest.mix(digest, Digest.of(try registry.url(for: names[index % names.count])))
    }
    var firstLookup: [UInt64] = []
    for round in 0..<changes {
      builder.apply(changed: [Self.changed(fixture.members, round)])
      feed.publish(builder.catalog)
      let name = names[round % names.count]
      let start = Clocks.monotonic()
      let url = try registry.url(for: name)
      let end = Clocks.monotonic()
      firstLookup.append(end &- start)
      digest = Digest.mix(digest, Digest.of(url))
    }
    return Result(
      fullBuild: Percentiles(fullBuild), change: change, largeChange: large,
      firstLookup: Percentiles(firstLookup), digest: digest)
  }

  /// Thread CPU of `apply` for one changed member, `changes` times, over a
  /// builder holding `members`.
  private func timeChanges(members: [Member], digest: inout UInt64) throws -> Percentiles<UInt64> {
    var builder = CatalogBuilder()
    builder.apply(changed: members)
    var held = builder.catalog  // as the mailbox holds the published one
    var cpu: [UInt64] = []
    for round in 0..<changes {
      let member = Self.changed(members, round)
      let start = Clocks.threadCPU()
      let touched = builder.apply(changed: [member])
      let end = Clocks.threadCPU()
      cpu.append(end &- start)
      held = builder.catalog
      digest = Digest.mix(digest, UInt64(touched.count))
    }
    digest = Digest.mix(digest, UInt64(held.instances.count))
    return Percentiles(cpu)
  }

  /// Member `round` (mod the count) with its primary service's health
  /// flipped between warning and passing: a change that moves one
  /// instance between the choice lists.
  private static func changed(_ members: [Member], _ round: Int) -> Member {
    var member = members[(round &* 7919) % members.count]
    var tags = (try? SerfTags.decode(member.meta)) ?? [:]
    guard let service = tags.keys.first(where: { $0.hasPrefix(ServiceCatalog.servicePrefix) })
    else { return member }
    let health = ServiceCatalog.healthPrefix + service.dropFirst(ServiceCatalog.servicePrefix.count)
    tags[health] = round % 2 == 0 ? "warning" : nil
    member.meta = (try? SerfTags.encode(tags)) ?? member.meta
    return member
  }
}
