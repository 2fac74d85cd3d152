import RumorWire
import Testing

@testable import RumorCore

@Suite("The member table's protocol version sets: one byte a record, bounded by the members")
struct MemberTableVersionSetTests {
  /// A valid version set that differs for every `index` below 65,536.
  static func distinct(_ index: Int) -> ProtocolVersions {
    ProtocolVersions(
      protocolMin: 1, protocolMax: 5, protocolCurrent: 2,
      delegateMin: UInt8(truncatingIfNeeded: index),
      delegateMax: UInt8(truncatingIfNeeded: index >> 8),
      delegateCurrent: 9)
  }

  /// An alive message for member `index` at `incarnation` speaking `versions`.
  static func alive(_ index: Int, incarnation: UInt32, versions: ProtocolVersions) -> Alive {
    Alive(
      incarnation: incarnation, node: "n\(index)", addr: address(index).ipBytes,
      port: address(index).port, meta: [], vsn: versions.bytes)
  }

  @Test("members with distinct version sets keep theirs, past the 255 codes, and give them back")
  func distinctSets() throws {
    var table = MemberTable()
    var random = SplitMix64(seed: 3)
    let members = 600
    for index in 0..<members {
      table.insert(
        NameIndexTests.record(index, state: index == 0 ? .alive : .dead),
        versions: index == 0 ? .rumor : Self.distinct(index), using: &random)
    }
    for index in 1..<members {
      let position = try #require(table.position(of: "member-\(index)"))
      #expect(table.versions(at: position) == Self.distinct(index))
      #expect(table.member(at: position).versions == Self.distinct(index))
    }
    var counts = table.versionSetCounts
    #expect(counts.inUse == VersionSets.maximumSets)
    #expect(counts.slots == VersionSets.maximumSets)
    #expect(counts.overflow == members - VersionSets.maximumSets)

    // Every member but one switches to the first member's set: two sets
    // in use, no overflow, and what each reads back is right.
    for position in 0..<table.count where table[position].name != "member-7" {
      table.setVersions(.rumor, at: position)
    }
    counts = table.versionSetCounts
    #expect(counts.inUse == 2)
    #expect(counts.overflow == 0)
    let seventh = try #require(table.position(of: "member-7"))
    #expect(table.versions(at: seventh) == Self.distinct(7))
    #expect(table.versions(at: try #require(table.position(of: "member-8"))) == .rumor)

    // Reaped members give their codes and overflow entries back.
    for position in 0..<table.count {
      table.setVersions(Self.distinct(1_000 + position), at: position)
    }
    #expect(table.versionSetCounts.overflow == members - VersionSets.maximumSets)
    table.reapAndShuffle(keep: "member-0", using: &random) { $0.state == .dead }
    counts = table.versionSetCounts
    #expect(table.count == 1)
    #expect(counts.inUse == 1)
    #expect(counts.overflow == 0)
    #expect(counts.slots == VersionSets.maximumSets)
    #expect(table.violations().isEmpty)
  }

  @Test("a crafted stream of distinct version bytes neither fails nor grows the node's memory")
  func craftedStream() throws {
    var node = try makeNode(knowing: 300)
    // Every member announces a set of its own: 301 sets with this node's.
    for index in 1...300 {
      _ = node.receive(
        .alive(Self.alive(index, incarnation: 2, versions: Self.distinct(index))),
        from: address(index), now: at(1))
    }
    for index in 1...300 {
      #expect(node.member(named: "n\(index)")?.versions == Self.distinct(index))
    }
    #expect(node.member(named: "n0")?.versions == .rumor)
    var counts = node.table.versionSetCounts
    #expect(counts.slots == VersionSets.maximumSets)
    #expect(counts.overflow == 301 - VersionSets.maximumSets)

    // One member keeps announcing new sets at rising incarnations: the
    // sets it gave up are taken again, nothing piles up.
    for step in 0..<5_000 {
      _ = node.receive(
        .alive(
          Self.alive(1, incarnation: UInt32(3 + step), versions: Self.distinct(10_000 + step))),
        from: address(1), now: at(2))
    }
    #expect(node.member(named: "n1")?.versions == Self.distinct(14_999))
    counts = node.table.versionSetCounts
    #expect(counts.slots == VersionSets.maximumSets)
    #expect(counts.overflow == 301 - VersionSets.maximumSets)

    // Back to one set: one code in use, nothing kept apart.
    for index in 1...300 {
      _ = node.receive(
        .alive(Self.alive(index, incarnation: 6_000, versions: .rumor)), from: address(index),
        now: at(3))
    }
    counts = node.table.versionSetCounts
    #expect(counts.inUse == 1)
    #expect(counts.overflow == 0)
    #expect(node.table.violations().isEmpty)
  }
}
