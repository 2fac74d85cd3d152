import RumorWire
import Testing

@testable import RumorCore

@Suite("Serf's records in the member table")
struct MemberTableSerfRecordTests {
  static func serf(_ status: SerfMemberStatus, _ time: UInt64) -> SerfMemberRecord {
    // Failed and left members have a leave time (kept apart from the row).
    let lost = status == .failed || status == .left
    return SerfMemberRecord(
      status: status, statusTime: time,
      leaveTime: lost ? Timestamp(nanoseconds: Int64(time) * 1_000) : nil)
  }

  /// Every Serf record of `table`, by name.
  static func contents(_ table: MemberTable) -> [String: SerfMemberRecord] {
    var contents: [String: SerfMemberRecord] = [:]
    table.forEachSerfRecord { name, record in
      #expect(contents[name] == nil, "\(name) listed twice")
      contents[name] = record
    }
    return contents
  }

  @Test("a member table record with its Serf status and status time takes 48 bytes")
  func recordSize() {
    // One per member per node: the Serf record costs 5 bytes here instead
    // of a dictionary entry with its own name and index (the leave time of
    // a failed or left member, and a status time past 32 bits, are kept
    // apart), the protocol versions 1 byte (a code of the table's version
    // sets) instead of 6, and the metadata 4 (a code of its slots)
    // instead of 8.
    #expect(MemoryLayout<MemberTable.Record>.size <= 48)
    #expect(MemoryLayout<MemberTable.Record>.stride == 48)
    #expect(MemoryLayout<SerfMemberRecord>.stride == 16)
    #expect(!SerfMemberRecord.absent.isPresent)
    #expect(Self.serf(.alive, 0).isPresent)
  }

  @Test(
    "Serf records follow their members through swaps, outlive a reap and come back on a re-insert")
  func recordsFollowMembers() {
    var table = MemberTable()
    var random = SplitMix64(seed: 7)
    var expected: [String: SerfMemberRecord] = [:]
    for index in 0..<500 {
      table.insert(
        NameIndexTests.record(index, state: index % 4 == 0 ? .dead : .alive), versions: .rumor,
        using: &random)
      // Serf knows most members, not all; and some it knows SWIM does not.
      if index % 5 != 0 {
        let record = Self.serf(index % 4 == 0 ? .failed : .alive, UInt64(index))
        table[serf: "member-\(index)"] = record
        expected["member-\(index)"] = record
      }
    }
    for index in 1_000..<1_010 {
      let record = Self.serf(.left, UInt64(index))
      table[serf: "member-\(index)"] = record
      expected["member-\(index)"] = record
    }
    #expect(Self.contents(table) == expected)
    #expect(table[serf: "member-5"] == nil)
    #expect(table[serf: "member-1003"] == Self.serf(.left, 1003))

    // SWIM reaps its dead members: their Serf records stay.
    table.reapAndShuffle(keep: "member-0", using: &random) { $0.state == .dead }
    #expect(table.violations().isEmpty)
    #expect(table.position(of: "member-4") == nil)
    #expect(table[serf: "member-4"] == Self.serf(.failed, 4))
    #expect(Self.contents(table) == expected)

    // Back in SWIM's view: the record moves back into the member's row.
    table.insert(NameIndexTests.record(4), versions: .rumor, using: &random)
    table.insert(NameIndexTests.record(1_003), versions: .rumor, using: &random)
    #expect(table.position(of: "member-4").flatMap(table.serfRecord(at:)) == Self.serf(.failed, 4))
    #expect(
      table.position(of: "member-1003").flatMap(table.serfRecord(at:)) == Self.serf(.left, 1003))
    #expect(Self.contents(table) == expected)

    // Removing and changing, in a row and in the overflow.
    table[serf: "member-4"] = nil
    table[serf: "member-1004"] = nil
    table[serf: "member-1"] = Self.serf(.leaving, 9)
    // A row that had a leave time loses it when its member comes back.
    table[serf: "member-1003"] = Self.serf(.alive, 1_100)
    expected["member-4"] = nil
    expected["member-1004"] = nil
    expected["member-1"] = Self.serf(.leaving, 9)
    expected["member-1003"] = Self.serf(.alive, 1_100)
    #expect(Self.contents(table) == expected)
    #expect(table.position(of: "member-4").flatMap(table.serfRecord(at:)) == nil)
    #expect(table.record(named: "member-4") != nil)
    #expect(table.containsSerfRecord { _, record in record.status == .leaving })
    #expect(!table.containsSerfRecord { name, _ in name == "member-1004" })
  }

  @Test("a table takes over another's Serf records")
  func takeOver() {
    var own = MemberTable()
    own[serf: "a"] = Self.serf(.alive, 1)
    own[serf: "b"] = Self.serf(.failed, 2)
    var table = MemberTable()
    var random = SplitMix64(seed: 1)
    table.insert(
      MemberTable.Record(
        name: "a", address: address(1), incarnation: 1, state: .alive, stateChange: 0),
      versions: .rumor, using: &random)
    table.takeSerfRecords(from: &own)
    #expect(Self.contents(own).isEmpty)
    #expect(table.position(of: "a").flatMap(table.serfRecord(at:)) == Self.serf(.alive, 1))
    #expect(Self.contents(table) == ["a": Self.serf(.alive, 1), "b": Self.serf(.failed, 2)])
  }
}
