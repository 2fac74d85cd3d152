import RumorCore
import RumorDiscovery
import RumorWire
import Testing

/// The effective configuration of `yaml` under `variables`, on a machine
/// that is neither a container nor a pod.
func effective(_ yaml: String = "", variables: [String: String] = [:]) throws
  -> EffectiveConfiguration
{
  let configuration =
    yaml.isEmpty ? DiscoveryConfiguration() : try ConfigurationLoader.decode(yaml, file: "test.yml")
  return try ConfigurationLoader.effective(
    configuration, host: HostEnvironment(variables: variables))
}

@Suite struct ServiceResolverTests {
  let now = Timestamp.seconds(1000)

  func resolver(_ yaml: String = "", variables: [String: String] = [:]) throws -> ServiceResolver {
    ServiceResolver(
      configuration: try effective(yaml, variables: variables), variables: variables, seed: 1)
  }

  func redisCatalog(_ tags: [String: [String: String]], states: [String: MemberState] = [:])
    throws -> ServiceCatalog
  {
    var members: [Member] = []
    for (index, name) in tags.keys.sorted().enumerated() {
      members.append(
        try member(
          name, host: UInt8(index + 1), state: states[name] ?? .alive,
          tags: tags[name] ?? [:]))
    }
    return ServiceCatalog(members: members)
  }

  // MARK: The order, step by step

  @Test func withNothingElseTheModeConventionAnswers() throws {
    var local = try resolver()
    let redis = try local.resolve("redis", catalog: ServiceCatalog(), at: now)
    #expect(redis.url.description == "redis://localhost:6379")
    #expect(redis.source == .convention)
    #expect(redis.explanation.count == 4)
    #expect(redis.explanation[0] == "environment: REDIS_HOST not set")
    #expect(redis.explanation[1] == "gossip: no member advertises redis")

    var docker = try resolver(variables: ["AUTOBOT_DEPLOYMENT_MODE": "docker_local"])
    let outcome1 =
      try docker.resolve("redis", catalog: ServiceCatalog(), at: now).url.description
      == "redis://autobot-redis:6379"
    #expect(outcome1)
    var distributed = try resolver(
      variables: ["AUTOBOT_DEPLOYMENT_MODE": "distributed", "AUTOBOT_DOMAIN": "autobot.prod"])
    let outcome2 =
      try distributed.resolve("backend", catalog: ServiceCatalog(), at: now).url.description
      == "http://backend-01.autobot.prod:8001"
    #expect(outcome2)
    var kubernetes = try resolver(variables: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"])
    let outcome3 =
      try kubernetes.resolve("npu-worker", catalog: ServiceCatalog(), at: now).url.description
      == "http://npu-worker-service.autobot-system.svc.cluster.local:8081"
    #expect(outcome3)
  }

  @Test func theFileBeatsTheConvention() throws {
    var resolver = try resolver(
      """
      deployment:
        mode: distributed
        domain: autobot.prod
      services:
        redis:
          host: redis-01.autobot.prod
          port: 6380
      """)
    let redis = try resolver.resolve("redis", catalog: ServiceCatalog(), at: now)
    #expect(redis.url.description == "redis://redis-01.autobot.prod:6380")
    #expect(redis.source == .configuration)
    #expect(redis.explanation.last?.contains("test.yml:6:") == true, "\(redis.explanation)")
  }

  @Test func gossipBeatsTheFile() throws {
    var resolver = try resolver("services:\n  redis:\n    host: redis.example\n")
    let catalog = try redisCatalog(["cache-1": ["svc.redis": "redis://:6379"]])
    let redis = try resolver.resolve("redis", catalog: catalog, at: now)
    #expect(redis.url.description == "redis://10.0.0.1:6379")
    #expect(redis.source == .gossip)
    #expect(redis.instance?.node == "cache-1")
  }

  @Test func theEnvironmentBeatsGossip() throws {
    let variables = ["REDIS_HOST": "redis.pinned", "REDIS_PORT": "7000"]
    var resolver = try resolver(variables: variables)
    let catalog = try redisCatalog(["cache-1": ["svc.redis": "redis://:6379"]])
    let redis = try resolver.resolve("redis", catalog: catalog, at: now)
    #expect(redis.url.description == "redis://redis.pinned:7000")
    #expect(redis.source == .environment)
    #expect(
      redis.explanation == ["environment: redis://redis.pinned:7000 (REDIS_HOST=redis.pinned)"])
  }

  @Test func aPortAloneInTheEnvironmentChangesTheFallbackNotGossip() throws {
    var resolver = try resolver(variables: ["AI_STACK_PORT": "9090"])
    let outcome4 =
      try resolver.resolve("ai-stack", catalog: ServiceCatalog(), at: now).url.description
      == "http://localhost:9090"
    #expect(outcome4)
    let explained = try resolver.resolve("ai-stack", catalog: ServiceCatalog(), at: now)
    #expect(
      explained.explanation.first
        == "environment: AI_STACK_HOST not set (AI_STACK_PORT=9090 applies to the file's and the convention's URL)"
    )
    let catalog = try redisCatalog(["ai-1": ["svc.ai-stack": "http://:8080"]])
    let outcome5 =
      try resolver.resolve("ai-stack", catalog: catalog, at: now).url.description
      == "http://10.0.0.1:8080"
    #expect(outcome5)
  }

  @Test func thePathIsAppended() throws {
    var resolver = try resolver(
      variables: ["AUTOBOT_DEPLOYMENT_MODE": "distributed", "AUTOBOT_DOMAIN": "autobot.prod"])
    let outcome6 =
      try resolver.resolve("ai-stack", path: "/api/process", catalog: ServiceCatalog(), at: now)
      .url.description == "http://ai-stack-01.autobot.prod:8080/api/process"
    #expect(outcome6)
    let catalog = try redisCatalog(["b": ["svc.backend": "http://:8001/api/"]])
    let outcome7 =
      try resolver.resolve("backend", path: "health", catalog: catalog, at: now).url.description
      == "http://10.0.0.1:8001/api/health"
    #expect(outcome7)
  }

  @Test func anUnknownServiceWithNoInstanceIsAnErrorNamingEveryStep() throws {
    var resolver = try resolver(variables: ["CACHE_HOST": "somewhere"])
    #expect {
      try resolver.resolve("cache", catalog: ServiceCatalog(), at: now)
    } throws: { error in
      guard let error = error as? ResolutionError else { return false }
      return error.service == "cache" && error.tried.count == 4
        && error.tried[0].contains("CACHE_HOST is set but 'cache' is not a known service")
        && error.description.hasPrefix("no URL for 'cache': environment: ")
        && error.openCircuits.isEmpty
    }
  }

  @Test func distributedModeWithoutADomainHasNoConventionForUnconfiguredServices() throws {
    var resolver = try resolver(variables: ["AUTOBOT_DEPLOYMENT_MODE": "distributed"])
    #expect(throws: ResolutionError.self) {
      try resolver.resolve("backend", catalog: ServiceCatalog(), at: now)
    }
    let catalog = try redisCatalog(["b": ["svc.backend": "http://:8001"]])
    let outcome8 = try resolver.resolve("backend", catalog: catalog, at: now).source == .gossip
    #expect(outcome8)
  }

  // MARK: Eligibility in the gossip view

  @Test func suspectDeadAndCriticalInstancesAreSkippedWithTheReason() throws {
    var resolver = try resolver()
    let catalog = try redisCatalog(
      [
        "a": ["svc.redis": "redis://:6379", "health.redis": "critical"],
        "b": ["svc.redis": "redis://:6379"],
        "c": ["svc.redis": "redis://:6379"],
        "d": ["svc.redis": "redis://:6379"],
      ], states: ["b": .suspect, "c": .dead])
    for _ in 0..<3 {
      let redis = try resolver.resolve("redis", catalog: catalog, at: now)
      #expect(redis.instance?.node == "d")
      let line = redis.explanation[1]
      #expect(line.contains("a (redis://10.0.0.1:6379): critical"), "\(line)")
      #expect(line.contains("b (redis://10.0.0.2:6379): node suspect"), "\(line)")
      #expect(line.contains("c (redis://10.0.0.3:6379): node failed"), "\(line)")
    }
  }

  @Test func warningInstancesAreUsedOnlyWhenNothingPasses() throws {
    var resolver = try resolver()
    let mixed = try redisCatalog([
      "a": ["svc.redis": "redis://:6379", "health.redis": "warning"],
      "b": ["svc.redis": "redis://:6379"],
    ])
    for _ in 0..<4 {
      let outcome9 = try resolver.resolve("redis", catalog: mixed, at: now).instance?.node == "b"
      #expect(outcome9)
    }
    let warnings = try redisCatalog([
      "a": ["svc.redis": "redis://:6379", "health.redis": "warning"]
    ])
    let redis = try resolver.resolve("redis", catalog: warnings, at: now)
    #expect(redis.instance?.node == "a")
    #expect(redis.explanation[1].contains("none passing"))
  }

  @Test func gossipInstancesAreSpreadRoundRobinByDefault() throws {
    var resolver = try resolver()
    let catalog = try redisCatalog([
      "a": ["svc.api": "http://:1"], "b": ["svc.api": "http://:1"], "c": ["svc.api": "http://:1"],
    ])
    let nodes = try (0..<6).map { _ in
      try resolver.resolve("api", catalog: catalog, at: now).instance?.node ?? "-"
    }
    #expect(nodes == ["a", "b", "c", "a", "b", "c"])
  }

  @Test func aLoadBalancerStrategyAppliesToGossipAndToItsHosts() throws {
    let yaml = """
      load_balancers:
        api:
          hosts:
            - api-01.example:8001
            - api-02.example:8001
          strategy: first
      """
    var resolver = try resolver(yaml)
    let catalog = try redisCatalog(["b": ["svc.api": "http://:1"], "a": ["svc.api": "http://:1"]])
    for _ in 0..<3 {
      let outcome10 = try resolver.resolve("api", catalog: catalog, at: now).instance?.node == "a"
      #expect(outcome10)
      let fallback = try resolver.resolve("api", catalog: ServiceCatalog(), at: now)
      #expect(fallback.url.description == "http://api-01.example:8001")
      #expect(fallback.source == .configuration)
    }
    var robin = try self.resolver(yaml.replacingOccurrences(of: "first", with: "round_robin"))
    let urls = try (0..<4).map { _ in
      try robin.resolve("api", catalog: ServiceCatalog(), at: now).url.host
    }
    #expect(urls == ["api-01.example", "api-02.example", "api-01.example", "api-02.example"])
  }

  @Test func aStrategyWithoutHostsAppliesToGossipAndLeavesTheFileStepToServices() throws {
    var resolver = try resolver(
      """
      services:
        api:
          host: api.example
          port: 8001
          scheme: http
      load_balancers:
        api:
          strategy: first
      """)
    let catalog = try redisCatalog(["b": ["svc.api": "http://:1"], "a": ["svc.api": "http://:1"]])
    for _ in 0..<3 {
      let node = try resolver.resolve("api", catalog: catalog, at: now).instance?.node
      #expect(node == "a")
    }
    let fallback = try resolver.resolve("api", catalog: ServiceCatalog(), at: now)
    #expect(fallback.url.description == "http://api.example:8001")
  }

  @Test func theNearestStrategyTakesTheLowestEstimatedRoundTrip() throws {
    var resolver = try resolver("load_balancers:\n  api:\n    strategy: nearest\n")
    let catalog = try redisCatalog([
      "a": ["svc.api": "http://:1"], "b": ["svc.api": "http://:1"], "c": ["svc.api": "http://:1"],
    ])
    // Without estimates, nearest goes round robin.
    let spread = try (0..<3).map { _ in try resolver.resolve("api", catalog: catalog, at: now) }
    #expect(Set(spread.compactMap { $0.instance?.node }) == ["a", "b", "c"])
    resolver.roundTrips = {
      { ["a": .milliseconds(5), "b": .microseconds(800), "c": .milliseconds(2)][$0] }
    }
    for _ in 0..<4 {
      #expect(try resolver.url("api", catalog: catalog, at: now) == "http://10.0.0.2:1")
    }
    // A watcher still follows the primary.
    #expect(try resolver.primary("api", catalog: catalog, at: now).instance?.node == "a")
  }

  // MARK: Circuit breakers

  @Test func anOpenCircuitSkipsItsInstanceUntilTheTrial() throws {
    var resolver = try resolver()
    let catalog = try redisCatalog([
      "a": ["svc.redis": "redis://:6379"], "b": ["svc.redis": "redis://:6379"],
    ])
    let bad = try ServiceURL(parsing: "redis://10.0.0.1:6379")
    for _ in 0..<5 { resolver.recordFailure(of: bad, at: now) }
    for _ in 0..<4 {
      let redis = try resolver.resolve("redis", catalog: catalog, at: now + .seconds(30))
      #expect(redis.instance?.node == "b")
      #expect(redis.explanation[1].contains("circuit open after 5 failures, half-open in 30s"))
    }
    // Half-open: the next resolution that lands on it takes the one trial.
    let later = now + .seconds(60)
    let picks = try (0..<4).map { _ in
      try resolver.resolve("redis", catalog: catalog, at: later).instance?.node ?? "-"
    }
    #expect(picks.filter { $0 == "a" }.count == 1, "\(picks)")
    resolver.recordSuccess(of: bad, at: later)
    #expect(resolver.breaker(of: bad).state(at: later) == .closed)
  }

  @Test func whenEveryCircuitIsOpenTheFileIsNextAndThenAnErrorSaysSo() throws {
    var resolver = try resolver("services:\n  redis:\n    host: redis.example\n")
    let catalog = try redisCatalog(["a": ["svc.redis": "redis://:6379"]])
    for _ in 0..<5 {
      resolver.recordFailure(of: try ServiceURL(parsing: "redis://10.0.0.1:6379"), at: now)
    }
    let redis = try resolver.resolve("redis", catalog: catalog, at: now)
    #expect(redis.url.description == "redis://redis.example:6379")
    for _ in 0..<5 {
      resolver.recordFailure(of: try ServiceURL(parsing: "redis://redis.example:6379/0"), at: now)
    }
    #expect {
      try resolver.resolve("redis", catalog: catalog, at: now)
    } throws: { error in
      (error as? ResolutionError)?.openCircuits.count == 2
    }
  }

  @Test func environmentOverridesIgnoreBreakers() throws {
    var resolver = try resolver(variables: ["REDIS_HOST": "pinned"])
    for _ in 0..<10 {
      resolver.recordFailure(of: try ServiceURL(parsing: "redis://pinned:6379"), at: now)
    }
    let outcome11 =
      try resolver.resolve("redis", catalog: ServiceCatalog(), at: now).source == .environment
    #expect(outcome11)
  }

  // MARK: Backups

  @Test func theBackupIsTheNextEligibleInstanceAfterThePrimary() throws {
    var resolver = try resolver()
    let catalog = try redisCatalog([
      "a": ["svc.redis": "redis://:6379"], "b": ["svc.redis": "redis://:6379"],
    ])
    let backup = try resolver.backup("redis", catalog: catalog, at: now)
    #expect(backup.instance?.node == "b")
    for _ in 0..<5 {
      resolver.recordFailure(of: try ServiceURL(parsing: "redis://10.0.0.1:6379"), at: now)
    }
    // With a's circuit open, b is the primary and the convention the backup.
    let next = try resolver.backup("redis", catalog: catalog, at: now)
    #expect(next.url.description == "redis://localhost:6379")
    #expect(next.source == .convention)
  }

  @Test func withOneEligibleInstanceThereIsNoBackup() throws {
    var resolver = try resolver(variables: ["REDIS_HOST": "pinned"])
    #expect {
      try resolver.backup("redis", catalog: ServiceCatalog(), at: now)
    } throws: { error in
      (error as? ResolutionError)?.tried.last == "no backup: only redis://pinned:6379 is eligible"
    }
  }

  // MARK: The fast path

  /// `url` and `resolve`, on twin resolvers, give the same URLs in the
  /// same order, with failures, breakers opening and half-open trials,
  /// for every strategy.
  @Test(arguments: ["round_robin", "random", "first", "least_failures"])
  func theFastPathChoosesExactlyAsResolveDoes(strategy: String) throws {
    let yaml = """
      load_balancers:
        api:
          hosts:
            - api-01.example:8001
          strategy: \(strategy)
      """
    var quick = try resolver(yaml)
    var full = try resolver(yaml)
    let catalog = try redisCatalog(
      [
        "a": ["svc.api": "http://:1"], "b": ["svc.api": "http://:1", "health.api": "warning"],
        "c": ["svc.api": "http://:1"], "d": ["svc.api": "http://:1", "health.api": "critical"],
        "e": ["svc.api": "http://:1"], "f": ["svc.api": "http://:1"],
      ],
      states: ["e": .suspect])
    var generator = SplitMix64(seed: 7)
    var time = now
    for call in 0..<400 {
      time = time + .milliseconds(500)
      let path = call % 3 == 0 ? "/v1" : ""
      let expected = try? full.resolve("api", path: path, catalog: catalog, at: time).url
        .description
      let got = try? quick.url("api", path: path, catalog: catalog, at: time)
      #expect(got == expected, "call \(call) with \(strategy)")
      // Callers report failures of some calls: breakers open and recover.
      if let url = expected, Int.random(in: 0..<4, using: &generator) == 0 {
        let parsed = try ServiceURL(parsing: url)
        full.recordFailure(of: parsed, at: time)
        quick.recordFailure(of: parsed, at: time)
      } else if let url = expected, Int.random(in: 0..<8, using: &generator) == 0 {
        let parsed = try ServiceURL(parsing: url)
        full.recordSuccess(of: parsed, at: time)
        quick.recordSuccess(of: parsed, at: time)
      }
    }
  }
}
