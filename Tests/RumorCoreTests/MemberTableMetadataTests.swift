import RumorWire
import Testing

@testable import RumorCore

@Suite("Metadata and wide Serf status times kept beside the member table's records")
struct MemberTableMetadataTests {
  static func meta(_ index: Int) -> [UInt8] {
    // Members without tags (every fourth) have empty metadata.
    index % 4 == 0 ? [] : Array("tags-\(index)".utf8)
  }

  /// Every record's metadata, by name.
  static func metadata(_ table: MemberTable) -> [String: [UInt8]] {
    var contents: [String: [UInt8]] = [:]
    for position in 0..<table.count {
      contents[table[position].name] = table.meta(of: table[position])
    }
    return contents
  }

  @Test("metadata follows its member through swaps, changes and reaps, and slots are reused")
  func metadataFollowsMembers() {
    var table = MemberTable()
    var random = SplitMix64(seed: 11)
    var expected: [String: [UInt8]] = [:]
    for index in 0..<1_000 {
      table.insert(
        NameIndexTests.record(index, state: index % 3 == 0 ? .dead : .alive),
        meta: Self.meta(index), versions: .rumor, using: &random)
      expected["member-\(index)"] = Self.meta(index)
    }
    #expect(table.violations().isEmpty, "\(table.violations().prefix(3))")
    #expect(Self.metadata(table) == expected)
    #expect(table.metadataSlotCounts == (inUse: 750, slots: 750))
    #expect(table.member(at: table.position(of: "member-5") ?? 0).meta == Self.meta(5))
    #expect(table.alive(of: table[table.position(of: "member-6") ?? 0]).meta == Self.meta(6))

    // Changes: tags to other tags, tags to none, none to tags.
    for index in [1, 2, 4, 8] {
      guard let position = table.position(of: "member-\(index)") else {
        Issue.record("member-\(index) missing")
        return
      }
      let changed: [UInt8] = index == 2 ? [] : Array("new-\(index)".utf8)
      table.setMeta(changed, at: position)
      expected["member-\(index)"] = changed
    }
    #expect(table.violations().isEmpty, "\(table.violations().prefix(3))")
    #expect(Self.metadata(table) == expected)
    #expect(table.metadataSlotCounts.inUse == 751)

    // A reap gives the slots of the reaped members back.
    table.reapAndShuffle(keep: "member-0", using: &random) { $0.state == .dead }
    for index in stride(from: 3, to: 1_000, by: 3) { expected["member-\(index)"] = nil }
    #expect(table.violations().isEmpty, "\(table.violations().prefix(3))")
    #expect(Self.metadata(table) == expected)
    let inUse = expected.values.filter { !$0.isEmpty }.count
    #expect(table.metadataSlotCounts.inUse == inUse)

    // New members take the free slots before the list grows.
    for index in 2_000..<2_200 {
      table.insert(
        NameIndexTests.record(index), meta: Self.meta(index), versions: .rumor, using: &random)
      expected["member-\(index)"] = Self.meta(index)
    }
    #expect(table.violations().isEmpty, "\(table.violations().prefix(3))")
    #expect(Self.metadata(table) == expected)
    #expect(table.metadataSlotCounts.inUse == inUse + 150)
    #expect(table.metadataSlotCounts.slots == 751)
  }

  @Test("a slot given back twice is listed free once")
  func releaseTwice() {
    var slots = MetadataSlots()
    let first = slots.store([1])
    #expect(slots.store([]) == 0)
    slots.release(code: first)
    slots.release(code: first)
    slots.release(code: 0)
    slots.release(code: 99)
    let second = slots.store([2])
    let third = slots.store([3])
    #expect(second == first)
    #expect(third != first)
    #expect(slots.metadata(code: second) == [2])
    #expect(slots.metadata(code: third) == [3])
    #expect(slots.metadata(code: 99) == [])
  }

  @Test("a Serf status time past 32 bits is kept apart and follows its member")
  func wideSerfStatusTimes() {
    var table = MemberTable()
    var random = SplitMix64(seed: 5)
    for index in 0..<100 {
      table.insert(
        NameIndexTests.record(index, state: index % 2 == 0 ? .dead : .alive), versions: .rumor,
        using: &random)
    }
    let wide = UInt64(UInt32.max) + 7
    let narrow = UInt64(UInt32.max)
    table[serf: "member-1"] = MemberTableSerfRecordTests.serf(.alive, wide)
    table[serf: "member-2"] = MemberTableSerfRecordTests.serf(.failed, wide + 1)
    table[serf: "member-3"] = MemberTableSerfRecordTests.serf(.alive, narrow)
    #expect(table.wideSerfStatusTimeCount == 2)
    #expect(table[serf: "member-1"] == MemberTableSerfRecordTests.serf(.alive, wide))
    #expect(table[serf: "member-3"] == MemberTableSerfRecordTests.serf(.alive, narrow))

    // Reaped by SWIM, kept by Serf: the time goes with the record.
    table.reapAndShuffle(keep: "member-1", using: &random) { $0.state == .dead }
    #expect(table.position(of: "member-2") == nil)
    #expect(table[serf: "member-2"] == MemberTableSerfRecordTests.serf(.failed, wide + 1))
    #expect(table.wideSerfStatusTimeCount == 1)
    table.insert(NameIndexTests.record(2), versions: .rumor, using: &random)
    #expect(
      table.position(of: "member-2").flatMap(table.serfRecord(at:))
        == MemberTableSerfRecordTests.serf(.failed, wide + 1))
    #expect(table.wideSerfStatusTimeCount == 2)

    // Back under 32 bits, or no record: nothing kept apart.
    table[serf: "member-1"] = MemberTableSerfRecordTests.serf(.leaving, 9)
    table[serf: "member-2"] = nil
    #expect(table.wideSerfStatusTimeCount == 0)
    #expect(table[serf: "member-1"] == MemberTableSerfRecordTests.serf(.leaving, 9))
    #expect(table[serf: "member-2"] == nil)
  }
}
