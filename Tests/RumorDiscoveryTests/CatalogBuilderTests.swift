import RumorCore
import RumorDiscovery
import RumorWire
import Testing

@Suite struct CatalogBuilderTests {
  /// A member `index` of a small cluster with a tag set drawn by `draw`.
  private func randomMember(_ index: Int, _ generator: inout SplitMix64) throws -> Member {
    let services = ["redis", "api", "ai-stack"]
    var tags: [String: String] = ["role": "r\(index)"]
    for service in services where Int.random(in: 0..<2, using: &generator) == 0 {
      tags["svc.\(service)"] = "http://:\(8000 + index)"
      switch Int.random(in: 0..<6, using: &generator) {
      case 0: tags["health.\(service)"] = "warning"
      case 1: tags["health.\(service)"] = "critical"
      case 2: tags["health.\(service)"] = "sort of"
      default: break
      }
    }
    if Int.random(in: 0..<10, using: &generator) == 0 { tags["svc.broken"] = "no scheme" }
    let states: [MemberState] = [.alive, .alive, .alive, .suspect, .dead, .left]
    return Member(
      name: "node-\(index)",
      address: NodeAddress(ipv4: 10, 0, 0, UInt8(index + 1), port: 7946),
      meta: try SerfTags.encode(tags),
      state: states[Int.random(in: 0..<states.count, using: &generator)])
  }

  /// Changes applied one batch at a time give, after every batch, the
  /// catalog built from scratch over the same members: the incremental
  /// path and the full build cannot disagree.
  @Test(arguments: [1, 2, 3])
  func incrementalChangesMatchAFullBuild(seed: UInt64) throws {
    var generator = SplitMix64(seed: seed)
    var members: [String: Member] = [:]
    var builder = CatalogBuilder()
    for round in 0..<300 {
      var changed: [Member] = []
      var removed: [String] = []
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        let index = Int.random(in: 0..<20, using: &generator)
        if Int.random(in: 0..<5, using: &generator) == 0 {
          members["node-\(index)"] = nil
          removed.append("node-\(index)")
        } else {
          let member = try randomMember(index, &generator)
          members[member.name] = member
          changed.append(member)
          removed.removeAll { $0 == member.name }
        }
      }
      // A name both removed and then changed in one batch counts as changed.
      builder.apply(changed: changed.filter { members[$0.name] == $0 }, removed: removed)
      let full = ServiceCatalog(members: Array(members.values))
      #expect(builder.catalog == full, "seed \(seed), round \(round)")
      if builder.catalog != full { return }
    }
  }

  @Test func onlyTheServicesOfAChangedMemberAreTouched() throws {
    var builder = CatalogBuilder()
    let a = Member(
      name: "a", address: NodeAddress(ipv4: 10, 0, 0, 1, port: 1),
      meta: try SerfTags.encode(["svc.redis": "redis://:6379"]))
    let b = Member(
      name: "b", address: NodeAddress(ipv4: 10, 0, 0, 2, port: 1),
      meta: try SerfTags.encode(["svc.api": "http://:80"]))
    #expect(builder.apply(changed: [a, b]) == ["redis", "api"])
    var newer = b
    newer.meta = try SerfTags.encode(["svc.api": "http://:80", "health.api": "warning"])
    #expect(builder.apply(changed: [newer]) == ["api"])
    #expect(builder.apply(changed: [a]) == [], "an unchanged member touches nothing")
    #expect(builder.apply(changed: [], removed: ["a"]) == ["redis"])
    #expect(builder.catalog.services == ["api"])
    #expect(builder.catalog.choices["api"]?.warningURLs == ["http://10.0.0.2:80"])
  }
}
