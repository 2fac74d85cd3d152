import Rumor
import Testing

private struct CallFailed: Error, CustomStringConvertible {
  let host: String
  var description: String { "no answer from \(host)" }
}

/// Records which endpoints a body was run against (a body runs on the
/// caller's task, one attempt at a time).
private actor Calls {
  var hosts: [String] = []
  func add(_ host: String) { hosts.append(host) }
}

@Suite("withInstance: calls that fail over")
struct FailoverTests {
  /// A registry over members a, b, c (10.0.0.1-3) advertising api, with
  /// `yaml` as the file.
  func registry(_ yaml: String = "", variables: [String: String] = [:]) throws
    -> ServiceRegistry
  {
    let configuration = try ConfigurationLoader.effective(
      yaml.isEmpty ? DiscoveryConfiguration() : ConfigurationLoader.decode(yaml, file: "t.yml"),
      host: HostEnvironment(variables: variables))
    let members = try ["a", "b", "c"].enumerated().map { index, name in
      Member(
        name: name, address: NodeAddress(ipv4: 10, 0, 0, UInt8(index + 1), port: 7946),
        meta: try SerfTags.encode(["svc.api": "http://:8001"]))
    }
    return ServiceRegistry(configuration: configuration, members: members, variables: variables)
  }

  @Test func aFailedCallMovesToAnInstanceNotYetTriedAndCountsOnTheBreakers() async throws {
    let registry = try registry()
    let calls = Calls()
    // The first two instances tried fail, the third answers.
    let answer = try await registry.withInstance("api", path: "/v1/run") { url in
      await calls.add(url.host)
      if await calls.hosts.count < 3 { throw CallFailed(host: url.host) }
      return "answered by \(url.host) at \(url.path)"
    }
    let hosts = await calls.hosts
    #expect(Set(hosts) == ["10.0.0.1", "10.0.0.2", "10.0.0.3"], "each tried once: \(hosts)")
    #expect(answer == "answered by \(hosts[2]) at /v1/run")
    for host in hosts.prefix(2) {
      let breaker = registry.breaker(
        for: ServiceURL(scheme: "http", host: host, port: 8001))
      #expect(breaker.consecutiveFailures == 1, "\(host)")
    }
  }

  @Test func whenEveryAttemptFailsTheErrorListsThemAll() async throws {
    // retries: 1, so two attempts in all.
    let registry = try registry("services:\n  api:\n    retries: 1\n    port: 8001\n")
    await #expect {
      try await registry.withInstance("api") { url -> Int in throw CallFailed(host: url.host) }
    } throws: { error in
      guard let error = error as? ServiceCallError else { return false }
      return error.attempts.count == 2
        && Set(error.attempts.map(\.endpoint.host)).count == 2
        && error.description.hasPrefix("api: 2 attempts failed: http://10.0.0.")
    }
  }

  @Test func aPinnedServiceIsTriedOnceAndNothingEligibleIsAResolutionError() async throws {
    let pinned = try registry(variables: ["REDIS_HOST": "pinned"])
    let calls = Calls()
    await #expect(throws: ServiceCallError.self) {
      try await pinned.withInstance("redis") { url -> Int in
        await calls.add(url.host)
        throw CallFailed(host: url.host)
      }
    }
    #expect(await calls.hosts == ["pinned"])
    await #expect(throws: ResolutionError.self) {
      try await pinned.withInstance("nothing-advertises-this") { _ in 1 }
    }
  }

  @Test func aSuccessResetsTheBreakersFailures() async throws {
    let registry = try registry("services:\n  api:\n    port: 8001\n")
    let endpoint = ServiceURL(scheme: "http", host: "10.0.0.1", port: 8001)
    for _ in 0..<3 { registry.reportFailure(endpoint) }
    #expect(registry.breaker(for: endpoint).consecutiveFailures == 3)
    var seen: Set<String> = []
    for _ in 0..<3 {
      _ = try await registry.withInstance("api") { url in seen.insert(url.host) }
    }
    #expect(seen.contains("10.0.0.1"))
    #expect(registry.breaker(for: endpoint).consecutiveFailures == 0)
  }

  @Test func reportingAURLThatDoesNotParseIsAnErrorNotANoOp() throws {
    let registry = try registry()
    #expect(throws: InvalidValue.self) { try registry.reportFailure("not a url") }
    #expect(throws: InvalidValue.self) { try registry.reportSuccess("") }
    let typed = try registry.endpoint(for: "api", path: "/x")
    #expect(typed.scheme == "http" && typed.port == 8001 && typed.path == "/x")
  }

  @Test func answersAreCountedBySource() async throws {
    let registry = try registry(variables: ["REDIS_HOST": "pinned"])
    _ = try registry.url(for: "api")
    _ = try registry.resolve("api")
    _ = try registry.url(for: "redis")
    _ = try? registry.url(for: "nothing-advertises-this")
    let counts = registry.resolutionCounts
    #expect(counts.gossip == 2)
    #expect(counts.environment == 1)
    #expect(counts.unanswered == 1)
    #expect(counts.answered[.convention] == 0)
  }
}
