extension MemberTable {
  /// What is wrong with the table's bookkeeping: the name index and the
  /// state tallies must agree with the records, every name must be
  /// stored once (a member is in one state), and every metadata slot in
  /// use must belong to one record. Empty when all holds.
  func violations() -> [String] {
    var problems: [String] = []
    if indexByNameCount != records.count {
      problems.append("\(indexByNameCount) names indexed for \(records.count) records")
    }
    var active = 0
    var alive = 0
    var metaCodes = Set<UInt32>()
    // With as many names indexed as records, a name stored twice leaves
    // one of its records indexed elsewhere: this catches it.
    for (position, record) in records.enumerated() {
      if self.position(of: record.name) != position {
        problems.append("\(record.name) is indexed at another position (stored twice?)")
      }
      if record.state.isActive { active += 1 }
      if record.state == .alive { alive += 1 }
      if record.metaCode != 0 && !metaCodes.insert(record.metaCode).inserted {
        problems.append("\(record.name) shares its metadata slot with another record")
      }
    }
    if metaCodes.count != metadataSlotCounts.inUse {
      problems.append(
        "\(metadataSlotCounts.inUse) metadata slots in use for \(metaCodes.count) records")
    }
    if active != activeCount {
      problems.append("active count \(activeCount), but \(active) records are alive or suspect")
    }
    if alive != aliveCount {
      problems.append("alive count \(aliveCount), but \(alive) records are alive")
    }
    if probePosition > records.count {
      problems.append("probe position \(probePosition) past the \(records.count) records")
    }
    return problems
  }
}

extension SWIMNode {
  /// Every member's incarnation, to compare with a later check.
  public var incarnations: [String: UInt32] {
    var result: [String: UInt32] = [:]
    result.reserveCapacity(table.count)
    for record in table.records { result[record.name] = record.incarnation }
    return result
  }

  /// What is wrong with this node's state, as `[]` when nothing is: the
  /// member table's bookkeeping (`MemberTable.violations`), this node in
  /// its own table, a suspicion only for a member it holds, and no
  /// incarnation lower than in `previous` (taken from `incarnations` at an
  /// earlier step) for a member still known. The simulator checks this
  /// after every input when asked (`rumor-sim --check-invariants`), since
  /// it costs a pass over the table.
  public func invariantViolations(previous: [String: UInt32] = [:]) -> [String] {
    var problems = table.violations()
    if table.record(named: name) == nil { problems.append("\(name) is missing from its own table") }
    for suspect in suspicions.keys where table.record(named: suspect) == nil {
      problems.append("a suspicion of \(suspect), who is not in the table")
    }
    for record in table.records {
      if let before = previous[record.name], record.incarnation < before {
        problems.append(
          "\(record.name)'s incarnation went back from \(before) to \(record.incarnation)")
      }
    }
    return problems.map { "\(name): \($0)" }
  }
}
