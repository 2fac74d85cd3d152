import RumorCore
import RumorDiscovery
import RumorWire
import Testing

/// A member at 10.0.0.`host` advertising `tags`.
func member(
  _ name: String, host: UInt8, state: MemberState = .alive, tags: [String: String]
) throws -> Member {
  Member(
    name: name, address: NodeAddress(ipv4: 10, 0, 0, host, port: 7946),
    meta: try SerfTags.encode(tags), state: state)
}

@Suite struct ServiceCatalogTests {
  @Test func servicesAreReadFromTagsWithTheMemberAddressFilledIn() throws {
    let catalog = ServiceCatalog(members: [
      try member("b", host: 2, tags: ["svc.redis": "redis://:6379", "role": "cache"]),
      try member(
        "a", host: 1,
        tags: ["svc.redis": "redis://:6380", "svc.api": "http://api.internal:8001/v1"]),
    ])
    #expect(catalog.services == ["api", "redis"])
    let redis = try #require(catalog.instances["redis"])
    #expect(redis.map(\.node) == ["a", "b"], "sorted by node name")
    #expect(redis[0].url.description == "redis://10.0.0.1:6380")
    #expect(redis[1].url.description == "redis://10.0.0.2:6379")
    #expect(catalog.instances["api"]?.first?.url.description == "http://api.internal:8001/v1")
    #expect(redis.allSatisfy { $0.health == .passing })
  }

  @Test func healthTagsAreReadAndAMissingOneMeansPassing() throws {
    let catalog = ServiceCatalog(members: [
      try member("a", host: 1, tags: ["svc.redis": "redis://:6379", "health.redis": "critical"]),
      try member("b", host: 2, tags: ["svc.redis": "redis://:6379", "health.redis": "warning"]),
      try member("c", host: 3, state: .suspect, tags: ["svc.redis": "redis://:6379"]),
    ])
    let redis = try #require(catalog.instances["redis"])
    #expect(redis.map(\.health) == [.critical, .warning, .passing])
    #expect(redis[2].memberState == .suspect)
  }

  @Test func tagsThatDoNotParseAreSkippedAndReported() throws {
    let catalog = ServiceCatalog(members: [
      try member(
        "a", host: 1,
        tags: [
          "svc.redis": "no scheme here", "svc.api": "http://:8001", "health.api": "sort of",
          "svc.": "http://:1",
        ]),
      Member(
        name: "junk", address: NodeAddress(ipv4: 10, 0, 0, 9, port: 1), meta: [0xFF, 0xC1]),
    ])
    #expect(catalog.services == ["api"])
    #expect(catalog.instances["api"]?.first?.health == .passing)
    #expect(catalog.problems.count == 2, "\(catalog.problems)")
    #expect(catalog.problems.allSatisfy { $0.hasPrefix("a: ") })
  }
}
