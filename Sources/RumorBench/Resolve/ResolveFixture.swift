import Rumor

/// The cluster the lookups run against: 1,000 members advertising 100
/// services through Serf tags, with enough unhealthy instances and
/// suspect members that the resolver's eligibility filter does real work
/// on every call.
///
/// Member `i` (`node-0000` ... `node-0999`) advertises service `i % 100`
/// (`service-00` ... `service-99`), so each service has 10 primary
/// instances; every tenth member also advertises a second service, which
/// gives 10 to 12 instances per service, 11 on average. A hash of `i` marks about 10% of the primary
/// instances `warning`, 5% `critical` and 3% of the members suspect.
/// Everything is deterministic: two runs resolve the same names over the
/// same instances.
struct ResolveFixture {
  /// Members in the cluster.
  static let memberCount = 1_000
  /// Distinct service names.
  static let serviceCount = 100

  /// The members, sorted by name, as a node's snapshot is.
  let members: [Member]
  /// The service names, in the order the benchmark cycles through them.
  let serviceNames: [String]
  /// What the fixture contains, for the report.
  let census: Census
  /// The configuration every registry of this fixture uses: local mode,
  /// no file, so that nothing but the gossip view can answer.
  let configuration: EffectiveConfiguration

  /// What the fixture contains.
  struct Census: Sendable {
    /// Service instances in the catalog.
    var instances = 0
    /// Instances whose health tag says warning.
    var warning = 0
    /// Instances whose health tag says critical.
    var critical = 0
    /// Members that are suspect.
    var suspectMembers = 0
    /// Instances on suspect members (never used by the resolver).
    var suspectInstances = 0
    /// The largest metadata any member carries, in bytes (limit 512).
    var largestMetaBytes = 0
    /// Fewest and most instances of one service.
    var instancesPerService: ClosedRange<Int> = 0...0
  }

  /// Builds the members and checks that every service resolves through
  /// the gossip view, so that no timed call takes an error path.
  init() throws {
    configuration = try ConfigurationLoader.effective(
      DiscoveryConfiguration(),
      host: HostEnvironment(variables: [EnvironmentVariable.deploymentMode: "local"]))
    serviceNames = (0..<Self.serviceCount).map(Self.serviceName)

    let members = try Self.makeMembers(count: Self.memberCount)
    var census = Census()
    for member in members {
      census.largestMetaBytes = max(census.largestMetaBytes, member.meta.count)
      if member.state == .suspect { census.suspectMembers += 1 }
    }
    self.members = members

    let catalog = ServiceCatalog(members: members)
    guard catalog.problems.isEmpty else {
      throw BenchError(
        "the fixture's tags do not parse: \(catalog.problems.joined(separator: "; "))")
    }
    var fewest = Int.max
    var most = 0
    for name in serviceNames {
      let instances = catalog.instances[name] ?? []
      fewest = min(fewest, instances.count)
      most = max(most, instances.count)
      for instance in instances {
        census.instances += 1
        if instance.health == .warning { census.warning += 1 }
        if instance.health == .critical { census.critical += 1 }
        if instance.memberState == .suspect { census.suspectInstances += 1 }
      }
    }
    census.instancesPerService = min(fewest, most)...most
    self.census = census

    let registry = makeRegistry()
    for name in serviceNames {
      let resolution: Resolution
      do {
        resolution = try registry.resolve(name)
      } catch {
        throw BenchError("\(name) does not resolve: \(error)")
      }
      guard resolution.source == .gossip else {
        throw BenchError(
          "\(name) resolved through \(resolution.source), not the gossip view: the fixture is wrong"
        )
      }
    }
  }

  /// `count` members advertising the fixture's 100 services as
  /// described above (10,000 for the owner-side change benchmark).
  static func makeMembers(count: Int) throws -> [Member] {
    let names = (0..<serviceCount).map(serviceName)
    var members: [Member] = []
    members.reserveCapacity(count)
    for index in 0..<count {
      let traits = Self.traits(of: index)
      var tags = [
        // Tags a real deployment carries besides the services, so that a
        // catalog rebuild decodes and skips them as it would there.
        "role": "app", "dc": "dc1", "version": "1.4.\(index % 7)",
      ]
      let primary = index % Self.serviceCount
      tags[ServiceCatalog.servicePrefix + names[primary]] = "http://:\(8000 + primary)"
      if let health = traits.health {
        tags[ServiceCatalog.healthPrefix + names[primary]] = health.rawValue
      }
      if index % 10 == 9 {
        // A bijection of the hundred such members onto the services, so
        // that each service gets one secondary instance; the one member
        // it would map onto its own primary takes the next service.
        var secondary = (index / 10 * 37 + 11) % Self.serviceCount
        if secondary == primary { secondary = (secondary + 1) % Self.serviceCount }
        tags[ServiceCatalog.servicePrefix + names[secondary]] =
          "http://:\(8000 + secondary)"
      }
      let meta = try SerfTags.encode(tags)
      members.append(
        Member(
          name: Self.memberName(index),
          address: NodeAddress(
            ipv4: 10, 1, UInt8(truncatingIfNeeded: index >> 8),
            UInt8(truncatingIfNeeded: index), port: 7946),
          meta: meta, state: traits.suspect ? .suspect : .alive))
    }
    return members
  }

  /// A fresh registry over this fixture's members: a fixed snapshot, as
  /// `rumor resolve --peer` uses, with no node behind it.
  func makeRegistry() -> ServiceRegistry {
    ServiceRegistry(configuration: configuration, members: members, variables: [:])
  }

  /// "service-07".
  static func serviceName(_ index: Int) -> String {
    index < 10 ? "service-0\(index)" : "service-\(index)"
  }

  /// "node-0042": zero-padded, so that name order is index order.
  static func memberName(_ index: Int) -> String {
    let digits = String(index)
    return "node-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  /// Whether member `index` is suspect and what health its primary
  /// service reports (nil: no health tag, which means passing).
  private static func traits(of index: Int) -> (suspect: Bool, health: ServiceHealth?) {
    // SplitMix64's finalizer: spreads the marks over the services instead
    // of lining them up with `index % 100`.
    var hash = UInt64(index) &+ 0x9e37_79b9_7f4a_7c15
    hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
    hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
    hash ^= hash >> 31
    let roll = hash % 100
    let health: ServiceHealth? = roll < 10 ? .warning : roll < 15 ? .critical : nil
    return ((hash >> 32) % 100 < 3, health)
  }
}
