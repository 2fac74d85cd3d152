import RumorWire

/// Everything one node knows about each member, itself included, stored
/// for ten thousand members per node: compact records in one array, which
/// is also the probe order, and a name index.
///
/// The array order is the round-robin probe order (SWIM §4.3): a new member
/// is appended and swapped with a random position (O(1), and the order
/// stays a uniform shuffle); at the end of each round dead and left members
/// past their gossip-to-the-dead time are reaped and the order reshuffled.
///
/// It also keeps the Serf layer's record of each member (`subscript(serf:)`),
/// so that a member's name is stored and indexed once for both layers: in
/// the member's record while SWIM knows it, in a small overflow for the
/// failed and left members Serf keeps after SWIM reaped them (and, for a
/// Serf layer on its own, for every member).
struct MemberTable {
  /// One member as stored.
  struct Record {
    // Ordered so that the record packs into 48 bytes with no padding
    // (the 1-byte fields fill the packed address's word before the
    // 4-byte incarnation): one per member per node adds up to gigabytes
    // in a 10,000-node simulation.
    var name: String
    /// When this node last saw the state change (nanoseconds).
    var stateChange: Int64
    private var packedAddress: PackedAddress
    /// The member's protocol versions, as a code of the table's
    /// `versionSets` (`MemberTable.versions(of:)`); only the table sets it.
    fileprivate(set) var versionCode: UInt8 = 0
    var state: MemberState
    /// The Serf status's raw value (0: no Serf record), plus
    /// `serfLeaveTimeFlag` when the leave time is in `serfLeaveTimes`
    /// (only failed and left members have one, so it is kept apart rather
    /// than in a word of every record) and `serfStatusTimeFlag` when the
    /// status time is in `serfStatusTimes`. SWIM never reads or changes
    /// the Serf fields; they move with the record.
    fileprivate(set) var serfBits: UInt8 = 0
    var incarnation: UInt32
    /// The member's metadata, as a code of the table's `metadataSlots`
    /// (`MemberTable.meta(of:)`); only the table sets it.
    fileprivate(set) var metaCode: UInt32 = 0
    /// The Serf layer's status time of the member (`serfRecord(at:)`)
    /// when it fits 32 bits; a later one is in `serfStatusTimes`.
    fileprivate(set) var serfStatusTime: UInt32 = 0

    /// A record to insert (`MemberTable.insert(_:meta:versions:using:)`,
    /// which takes the member's metadata and protocol versions).
    init(
      name: String, address: NodeAddress, incarnation: UInt32, state: MemberState,
      stateChange: Int64
    ) {
      self.name = name
      self.stateChange = stateChange
      self.packedAddress = PackedAddress(address)
      self.incarnation = incarnation
      self.state = state
    }

    /// Where the member is.
    var address: NodeAddress {
      get { packedAddress.address }
      set { packedAddress = PackedAddress(newValue) }
    }

  }

  private(set) var records: [Record] = []
  private var names = NameIndex()
  /// The next position to probe.
  private(set) var probePosition = 0
  /// Members alive or suspect (the local node included).
  private(set) var activeCount = 0
  /// Members alive, not suspect (the local node included).
  private(set) var aliveCount = 0
  /// The Serf records of members not in `records`.
  private var serfOverflow: [String: SerfMemberRecord] = [:]
  /// The Serf leave times of members in `records` that have one.
  private var serfLeaveTimes: [String: Timestamp] = [:]
  /// The Serf status times of members in `records` that do not fit 32
  /// bits (a Lamport time that large takes billions of intents).
  private var serfStatusTimes: [String: UInt64] = [:]
  /// The metadata the records' `metaCode`s stand for.
  private var metadataSlots = MetadataSlots()
  /// The protocol version sets the records' `versionCode`s stand for.
  private var versionSets = VersionSets()
  private static let serfStatusMask: UInt8 = 7
  private static let serfLeaveTimeFlag: UInt8 = 8
  private static let serfStatusTimeFlag: UInt8 = 16

  /// How many members are known, dead and left ones not yet reaped included
  /// (memberlist's `estNumNodes`, which scales timeouts and retransmits).
  var count: Int { records.count }

  /// How many names the index holds (the records' count, when sound).
  var indexByNameCount: Int { names.count }

  /// The position of `name`, if known.
  func position(of name: String) -> Int? { names.position(of: name, in: records) }

  /// A member's position looked up ahead of its use (`lookUp(_:)`).
  struct Lookup {
    /// The position then (-1: not in the table).
    fileprivate let position: Int
    /// `insertions` then.
    fileprivate let insertions: Int
  }

  /// How many members were ever inserted: a name not in the table stays
  /// out of it until the next insertion.
  private var insertions = 0

  /// Looks up `names` together (`NameIndex.positions(of:in:)`, which
  /// overlaps their cache misses), for `position(of:lookedUp:)` to use
  /// later; nil for a nil name.
  func lookUp(_ names: [String?]) -> [Lookup?] {
    let positions = self.names.positions(of: names, in: records)
    return names.indices.map { index in
      names[index] == nil ? nil : Lookup(position: positions[index], insertions: insertions)
    }
  }

  /// The position of `name`, if known, from `lookedUp` (`lookUp(_:)` for
  /// this name) when it still holds: a position still holding that name
  /// (names are unique in the table, and only insertions and reaps move
  /// records), or no position when nothing was inserted since. Otherwise
  /// looked up again.
  func position(of name: String, lookedUp: Lookup?) -> Int? {
    guard let lookedUp else { return position(of: name) }
    let position: Int?
    if lookedUp.position >= 0 {
      let stillThere =
        lookedUp.position < records.count && records[lookedUp.position].name == name
      position = stillThere ? lookedUp.position : self.position(of: name)
    } else {
      position = lookedUp.insertions == insertions ? nil : self.position(of: name)
    }
    assert(position == self.position(of: name), "a lookup made ahead went stale unnoticed")
    return position
  }

  /// The record of `name`, if known.
  func record(named name: String) -> Record? {
    position(of: name).map { records[$0] }
  }

  /// The record at `position`.
  subscript(position: Int) -> Record { records[position] }

  /// The protocol versions of `record` (one of `records`).
  func versions(of record: Record) -> ProtocolVersions {
    versionSets.versions(code: record.versionCode, name: record.name)
  }

  /// The protocol versions of the member at `position`.
  func versions(at position: Int) -> ProtocolVersions { versions(of: records[position]) }

  /// The metadata of `record` (one of `records`).
  func meta(of record: Record) -> [UInt8] { metadataSlots.metadata(code: record.metaCode) }

  /// Sets the metadata of the member at `position`.
  mutating func setMeta(_ meta: [UInt8], at position: Int) {
    records[position].metaCode = metadataSlots.replace(
      code: records[position].metaCode, with: meta)
  }

  /// How many records keep metadata, and how many slots are held for it
  /// (for tests).
  var metadataSlotCounts: (inUse: Int, slots: Int) {
    (metadataSlots.slotsInUse, metadataSlots.slotCount)
  }

  /// How many Serf status times are kept apart for not fitting a record
  /// (for tests).
  var wideSerfStatusTimeCount: Int { serfStatusTimes.count }

  /// Sets the protocol versions of the member at `position`.
  mutating func setVersions(_ versions: ProtocolVersions, at position: Int) {
    let record = records[position]
    guard versions != self.versions(of: record) else { return }
    versionSets.release(code: record.versionCode, name: record.name)
    records[position].versionCode = versionSets.retain(versions, name: record.name)
  }

  /// The alive message that states `record` (one of `records`) as it
  /// stands.
  func alive(of record: Record) -> Alive {
    Alive(
      incarnation: record.incarnation, node: record.name, addr: record.address.ipBytes,
      port: record.address.port, meta: meta(of: record), vsn: versions(of: record).bytes)
  }

  /// The member `record` (one of `records`) describes.
  func member(of record: Record) -> Member {
    Member(
      name: record.name, address: record.address, meta: meta(of: record),
      incarnation: record.incarnation, state: record.state, versions: versions(of: record),
      stateChanged: Timestamp(nanoseconds: record.stateChange))
  }

  /// The member at `position`.
  func member(at position: Int) -> Member { member(of: records[position]) }

  /// How many distinct protocol version sets the records use by code,
  /// and how many keep theirs apart (for tests and invariants).
  var versionSetCounts: (inUse: Int, slots: Int, overflow: Int) {
    (versionSets.setsInUse, versionSets.slotCount, versionSets.overflowCount)
  }

  /// Changes the record at `position` (not its name).
  mutating func update(at position: Int, _ change: (inout Record) -> Void) {
    let before = records[position].state
    change(&records[position])
    tally(before, -1)
    tally(records[position].state, 1)
  }

  private mutating func tally(_ state: MemberState, _ delta: Int) {
    if state.isActive { activeCount += delta }
    if state == .alive { aliveCount += delta }
    assert(
      activeCount >= 0 && aliveCount >= 0 && aliveCount <= activeCount,
      "member tallies out of step with the records")
  }

  /// Adds a member with `meta` speaking `versions` (a name not in the
  /// table) at a random position of the probe order; returns where it
  /// landed.
  @discardableResult
  mutating func insert(
    _ record: Record, meta: [UInt8] = [], versions: ProtocolVersions,
    using random: inout SplitMix64
  ) -> Int {
    let kept = serfOverflow.isEmpty ? nil : serfOverflow.removeValue(forKey: record.name)
    let end = records.count
    if end == records.capacity {
      // Grow by a quarter rather than double: at ten thousand members the
      // slack of doubling costs more than the extra copies.
      records.reserveCapacity(end + end / 4 + 16)
    }
    insertions += 1
    var record = record
    record.versionCode = versionSets.retain(versions, name: record.name)
    record.metaCode = metadataSlots.store(meta)
    records.append(record)
    if let kept { setSerfRecord(kept, at: end) }
    let slot = names.insert(position: end, in: records)
    tally(record.state, 1)
    let offset = random.below(end + 1)
    if offset != end {
      names.swap(offset, end, secondSlot: slot, in: records)
      records.swapAt(offset, end)
    }
    return offset
  }

  /// The position of the next member in the probe order, advancing past
  /// it; nil when the round is over (then reap, which starts a new round).
  mutating func advanceProbePosition() -> Int? {
    guard probePosition < records.count else { return nil }
    defer { probePosition += 1 }
    return probePosition
  }

  /// Removes every member for which `isExpired` holds and shuffles the
  /// rest (the end of a probe round). `keep` names a member never removed.
  mutating func reapAndShuffle(
    keep: String, using random: inout SplitMix64, isExpired: (Record) -> Bool
  ) {
    var reaped: [Record] = []
    var released: [(code: UInt8, name: String, metaCode: UInt32)] = []
    records.removeAll { record in
      guard record.name != keep && isExpired(record) else { return false }
      released.append((record.versionCode, record.name, record.metaCode))
      if record.serfBits != 0 { reaped.append(record) }
      return true
    }
    for record in released {
      versionSets.release(code: record.code, name: record.name)
      metadataSlots.release(code: record.metaCode)
    }
    // Serf keeps failed and left members longer than SWIM does.
    for record in reaped {
      serfOverflow[record.name] = serfRecord(of: record)
      if record.serfBits & Self.serfLeaveTimeFlag != 0 { serfLeaveTimes[record.name] = nil }
      if record.serfBits & Self.serfStatusTimeFlag != 0 { serfStatusTimes[record.name] = nil }
    }
    if records.count > 1 {
      for index in stride(from: records.count - 1, to: 0, by: -1) {
        records.swapAt(index, random.below(index + 1))
      }
    }
    names.rebuild(records)
    activeCount = 0
    aliveCount = 0
    for record in records { tally(record.state, 1) }
    probePosition = 0
  }

  /// Up to `count` distinct random positions passing `eligible`, by random
  /// draws (at most `3 × members` of them), as memberlist's `kRandomNodes`:
  /// O(count) for a large cluster, with no pass over the whole table.
  func randomPositions(
    _ count: Int, using random: inout SplitMix64, eligible: (Record) -> Bool
  ) -> [Int] {
    var chosen: [Int] = []
    guard count > 0, !records.isEmpty else { return chosen }
    var attempts = 0
    while chosen.count < count && attempts < 3 * records.count {
      attempts += 1
      let position = random.below(records.count)
      if chosen.contains(position) || !eligible(records[position]) { continue }
      chosen.append(position)
    }
    return chosen
  }

  // MARK: Serf's records

  /// The Serf layer's record of `name`, nil if it has none; setting nil
  /// removes it. O(1): one name lookup.
  subscript(serf name: String) -> SerfMemberRecord? {
    get { serfRecord(named: name, lookedUp: nil) }
    set {
      if let position = position(of: name) {
        setSerfRecord(newValue, at: position)
      } else {
        serfOverflow[name] = newValue
      }
    }
  }

  /// `self[serf: name]`, found through `lookedUp` (`lookUp(_:)` for this
  /// name) when it still holds (`position(of:lookedUp:)`), else looked up
  /// now.
  func serfRecord(named name: String, lookedUp: Lookup?) -> SerfMemberRecord? {
    if let position = position(of: name, lookedUp: lookedUp) { return serfRecord(at: position) }
    return serfOverflow.isEmpty ? nil : serfOverflow[name]
  }

  /// The Serf record kept in `records[position]`, if any.
  func serfRecord(at position: Int) -> SerfMemberRecord? {
    serfRecord(of: records[position])
  }

  /// The Serf record kept in `record` (one of `records`, or one just
  /// removed from them), if any.
  private func serfRecord(of record: Record) -> SerfMemberRecord? {
    guard let status = SerfMemberStatus(rawValue: Int(record.serfBits & Self.serfStatusMask))
    else { return nil }
    let leaveTime =
      record.serfBits & Self.serfLeaveTimeFlag == 0 ? nil : serfLeaveTimes[record.name]
    let statusTime =
      record.serfBits & Self.serfStatusTimeFlag == 0
      ? UInt64(record.serfStatusTime) : serfStatusTimes[record.name] ?? 0
    return SerfMemberRecord(status: status, statusTime: statusTime, leaveTime: leaveTime)
  }

  /// Keeps `serf` in `records[position]` (nil: none).
  private mutating func setSerfRecord(_ serf: SerfMemberRecord?, at position: Int) {
    let name = records[position].name
    let hadLeaveTime = records[position].serfBits & Self.serfLeaveTimeFlag != 0
    let hadWideStatusTime = records[position].serfBits & Self.serfStatusTimeFlag != 0
    guard let serf else {
      records[position].serfBits = 0
      records[position].serfStatusTime = 0
      if hadLeaveTime { serfLeaveTimes[name] = nil }
      if hadWideStatusTime { serfStatusTimes[name] = nil }
      return
    }
    var bits = UInt8(truncatingIfNeeded: serf.status.rawValue) & Self.serfStatusMask
    if let leaveTime = serf.leaveTime {
      serfLeaveTimes[name] = leaveTime
      bits |= Self.serfLeaveTimeFlag
    } else if hadLeaveTime {
      serfLeaveTimes[name] = nil
    }
    if let narrow = UInt32(exactly: serf.statusTime) {
      records[position].serfStatusTime = narrow
      if hadWideStatusTime { serfStatusTimes[name] = nil }
    } else {
      records[position].serfStatusTime = 0
      serfStatusTimes[name] = serf.statusTime
      bits |= Self.serfStatusTimeFlag
    }
    records[position].serfBits = bits
  }

  /// An upper bound of the number of Serf records.
  var serfCapacityHint: Int { records.count + serfOverflow.count }

  /// Calls `body` with every Serf record and its member's name, in no
  /// particular order.
  func forEachSerfRecord(_ body: (String, SerfMemberRecord) -> Void) {
    for position in records.indices where records[position].serfBits != 0 {
      if let serf = serfRecord(at: position) { body(records[position].name, serf) }
    }
    for (name, record) in serfOverflow { body(name, record) }
  }

  /// Whether a Serf record passes `predicate`.
  func containsSerfRecord(where predicate: (String, SerfMemberRecord) -> Bool) -> Bool {
    records.indices.contains { position in
      records[position].serfBits != 0
        && serfRecord(at: position).map { predicate(records[position].name, $0) } == true
    } || serfOverflow.contains { predicate($0.key, $0.value) }
  }

  /// Moves every Serf record of `other` here (which takes them over from a
  /// table whose records are all in its overflow: a Serf layer's own).
  mutating func takeSerfRecords(from other: inout MemberTable) {
    other.forEachSerfRecord { name, record in self[serf: name] = record }
    for index in other.records.indices { other.setSerfRecord(nil, at: index) }
    other.serfOverflow = [:]
  }
}
