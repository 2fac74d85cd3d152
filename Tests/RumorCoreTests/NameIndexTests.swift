import RumorWire
import Testing

@testable import RumorCore

@Suite("The member table's name index")
struct NameIndexTests {
  static func record(_ index: Int, state: MemberState = .alive) -> MemberTable.Record {
    MemberTable.Record(
      name: "member-\(index)", address: address(index % 1000), incarnation: 1,
      state: state, stateChange: 0)
  }

  static func check(_ table: MemberTable, holds expected: Set<String>) {
    #expect(table.violations().isEmpty, "\(table.violations().prefix(3))")
    #expect(table.indexByNameCount == expected.count)
    #expect(table.count == expected.count)
    for position in 0..<table.count {
      #expect(table.position(of: table[position].name) == position)
      #expect(expected.contains(table[position].name))
    }
  }

  @Test("every name leads to its record through inserts at random places, swaps and reaps")
  func positionsStayRight() {
    var table = MemberTable()
    var random = SplitMix64(seed: 3)
    var expected = Set<String>()
    for index in 0..<5_000 {
      table.insert(
        Self.record(index, state: index % 3 == 0 ? .dead : .alive), versions: .rumor, using: &random
      )
      expected.insert("member-\(index)")
    }
    Self.check(table, holds: expected)
    #expect(table.position(of: "member-5000") == nil)
    #expect(table.record(named: "member-42")?.name == "member-42")
    table.reapAndShuffle(keep: "member-0", using: &random) { $0.state == .dead }
    expected = expected.filter { name in
      guard let number = Int(name.dropFirst("member-".count)) else { return false }
      return number == 0 || number % 3 != 0
    }
    Self.check(table, holds: expected)
    #expect(table.position(of: "member-3") == nil)
    for index in 5_000..<6_000 {
      table.insert(Self.record(index), versions: .rumor, using: &random)
      expected.insert("member-\(index)")
    }
    Self.check(table, holds: expected)
  }

  @Test("an empty table finds nothing, and a reap of everything leaves it sound")
  func emptyTable() {
    var table = MemberTable()
    var random = SplitMix64(seed: 1)
    #expect(table.position(of: "anyone") == nil)
    table.insert(Self.record(1), versions: .rumor, using: &random)
    table.reapAndShuffle(keep: "nobody", using: &random) { _ in true }
    Self.check(table, holds: [])
    #expect(table.position(of: "member-1") == nil)
    table.insert(Self.record(2), versions: .rumor, using: &random)
    Self.check(table, holds: ["member-2"])
  }

  @Test("names looked up together get the positions looked up one by one")
  func lookedUpTogether() {
    var table = MemberTable()
    var random = SplitMix64(seed: 5)
    let none = table.lookUp(["member-1", nil])
    #expect(none[1] == nil)
    #expect(table.position(of: "member-1", lookedUp: none[0]) == nil)
    for index in 0..<3_000 {
      table.insert(Self.record(index), versions: .rumor, using: &random)
    }
    // Known names, unknown ones, nil and a repeat, in one batch.
    let names: [String?] =
      (0..<200).map { $0 % 7 == 0 ? nil : "member-\($0 * 17 % 3_500)" }
      + ["member-5", "member-5", "nobody"]
    let lookups = table.lookUp(names)
    #expect(lookups.count == names.count)
    for (name, lookup) in zip(names, lookups) {
      guard let name else {
        #expect(lookup == nil)
        continue
      }
      #expect(lookup != nil)
      #expect(table.position(of: name, lookedUp: lookup) == table.position(of: name))
    }
  }

  @Test("a lookup made ahead still answers right after inserts and a reap")
  func lookedUpAheadThenChanged() {
    var table = MemberTable()
    var random = SplitMix64(seed: 8)
    for index in 0..<500 {
      table.insert(
        Self.record(index, state: index % 4 == 0 ? .dead : .alive), versions: .rumor,
        using: &random)
    }
    let names: [String?] = (0..<600).map { "member-\($0)" }
    let lookups = table.lookUp(names)
    // New members land at random places, moving others to the end; the
    // unknown names looked up become known.
    for index in 500..<560 {
      table.insert(Self.record(index), versions: .rumor, using: &random)
    }
    for (name, lookup) in zip(names, lookups) {
      guard let name else { continue }
      #expect(table.position(of: name, lookedUp: lookup) == table.position(of: name))
    }
    table.reapAndShuffle(keep: "member-0", using: &random) { $0.state == .dead }
    for (name, lookup) in zip(names, lookups) {
      guard let name else { continue }
      #expect(table.position(of: name, lookedUp: lookup) == table.position(of: name))
    }
  }
}
