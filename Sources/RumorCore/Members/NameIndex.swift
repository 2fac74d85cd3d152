/// The positions of a member table's records by name, in a twentieth of
/// the memory of a `[String: Int32]`: an open-addressing hash table of
/// 4-byte slots (an 8-bit fingerprint of the name's hash and the
/// position) that compares names in the records themselves instead of
/// keeping a second copy.
///
/// In a 10,000-member cluster each node holds one, so a dictionary's
/// 16,384 buckets of a 16-byte key and a 4-byte value, per node, made
/// gigabytes of a 10,000-node simulation (and 8-byte slots still 1.3 GB).
/// Names are hashed with the standard library's seeded hasher, so crafted
/// names cannot pile up in one place. Nothing is removed one by one: the
/// table is rebuilt when records go (`rebuild`).
///
/// A slot's place comes from the hash's low 32 bits and its fingerprint
/// from the top 8, so a probe past another name reads that name's record
/// only once in 256 times. Positions take the slot's other 24 bits: a
/// table holds at most `SWIMSettings.maxMembers` (at most 2^20) records.
struct NameIndex {
  /// `fingerprint << 24 | position + 1`; 0 is empty.
  private var slots: [UInt32] = []
  /// How many names are indexed.
  private(set) var count = 0

  private static let positionBits: UInt32 = 24
  private static let positionMask: UInt32 = 1 << positionBits - 1

  /// The name's hash: where its slot is looked for (low 32 bits) and its
  /// fingerprint (top 8).
  private static func hash(_ name: String) -> UInt64 {
    UInt64(UInt(bitPattern: name.hashValue))
  }

  private static func fingerprint(_ hash: UInt64) -> UInt32 {
    UInt32(truncatingIfNeeded: hash >> 56)
  }

  /// The position of `name` in `records`, if indexed.
  func position(of name: String, in records: [MemberTable.Record]) -> Int? {
    slot(of: name, hash: Self.hash(name), in: records).map {
      Int(slots[$0] & Self.positionMask) - 1
    }
  }

  /// The positions of `names` in `records`, each what
  /// `position(of:in:)` gives (-1: not indexed; nil names are not looked
  /// up and get -1), found side by side rather than one after the other.
  ///
  /// A lookup in a large table is two cache misses, one after the other:
  /// the slot, then the record whose name it is compared with. One at a
  /// time, a packet's members cost two misses each in sequence
  /// (docs/simulation.md, "Tenth round"). Here every name
  /// is hashed first, then every home slot is read, then every candidate
  /// record compared: the loads of one stage do not depend on each other,
  /// so the processor overlaps their misses. A candidate that is not the
  /// name (another name with the same fingerprint) falls back to the
  /// ordinary probe.
  func positions(of names: [String?], in records: [MemberTable.Record]) -> [Int] {
    var positions = [Int](repeating: -1, count: names.count)
    guard !slots.isEmpty, !names.isEmpty else { return positions }
    let mask = slots.count - 1
    let hashes = names.map { $0.map(Self.hash) ?? 0 }
    // The first entry from each name's place whose fingerprint matches
    // (-1: an empty slot came first, the name is not indexed).
    for index in names.indices where names[index] != nil {
      let fingerprint = Self.fingerprint(hashes[index])
      var slot = Int(truncatingIfNeeded: hashes[index]) & mask
      while true {
        let entry = slots[slot]
        if entry == 0 { break }
        if entry >> Self.positionBits == fingerprint {
          positions[index] = Int(entry & Self.positionMask) - 1
          break
        }
        slot = (slot + 1) & mask
      }
    }
    for index in names.indices {
      guard let name = names[index], positions[index] >= 0 else { continue }
      let candidate = positions[index]
      if candidate < records.count, records[candidate].name == name { continue }
      positions[index] =
        slot(of: name, hash: hashes[index], in: records).map {
          Int(slots[$0] & Self.positionMask) - 1
        } ?? -1
    }
    return positions
  }

  /// Where `name` is kept, if it is.
  private func slot(of name: String, hash: UInt64, in records: [MemberTable.Record]) -> Int? {
    guard !slots.isEmpty else { return nil }
    let mask = slots.count - 1
    let fingerprint = Self.fingerprint(hash)
    var index = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = slots[index]
      if entry == 0 { return nil }
      if entry >> Self.positionBits == fingerprint {
        let position = Int(entry & Self.positionMask) - 1
        if position < records.count, records[position].name == name { return index }
      }
      index = (index + 1) & mask
    }
  }

  /// Indexes `records[position]` under its name (replacing an entry of
  /// the same name); returns the slot of its entry.
  @discardableResult
  mutating func insert(position: Int, in records: [MemberTable.Record]) -> Int {
    let name = records[position].name
    let hash = Self.hash(name)
    if let existing = slot(of: name, hash: hash, in: records) {
      slots[existing] = Self.entry(hash, position)
      return existing
    }
    if (count + 1) * 4 > slots.count * 3 { grow(records) }
    count += 1
    return place(Self.entry(hash, position), hash: hash)
  }

  /// Records the swap of the records at `first` and `second`: call it
  /// before swapping them.
  mutating func swap(_ first: Int, _ second: Int, in records: [MemberTable.Record]) {
    let firstName = records[first].name
    let secondName = records[second].name
    let firstHash = Self.hash(firstName)
    let secondHash = Self.hash(secondName)
    guard let firstSlot = slot(of: firstName, hash: firstHash, in: records),
      let secondSlot = slot(of: secondName, hash: secondHash, in: records)
    else { return }
    slots[firstSlot] = Self.entry(firstHash, second)
    slots[secondSlot] = Self.entry(secondHash, first)
  }

  /// `swap(_:_:in:)` when the entry of `second` is known to be in
  /// `secondSlot` (as `insert` returned it): one name hashed and looked up
  /// instead of two.
  mutating func swap(
    _ first: Int, _ second: Int, secondSlot: Int, in records: [MemberTable.Record]
  ) {
    let firstName = records[first].name
    let firstHash = Self.hash(firstName)
    guard let firstSlot = slot(of: firstName, hash: firstHash, in: records) else { return }
    slots[firstSlot] = Self.entry(firstHash, second)
    slots[secondSlot] = slots[secondSlot] & ~Self.positionMask | Self.positionField(first)
  }

  /// Indexes exactly `records`, keeping the slots' memory when it fits.
  mutating func rebuild(_ records: [MemberTable.Record]) {
    var size = max(slots.count, 16)
    while records.count * 4 > size * 3 { size *= 2 }
    if size == slots.count {
      for index in slots.indices { slots[index] = 0 }
    } else {
      slots = Array(repeating: 0, count: size)
    }
    count = 0
    for position in records.indices {
      let hash = Self.hash(records[position].name)
      place(Self.entry(hash, position), hash: hash)
      count += 1
    }
  }

  private static func positionField(_ position: Int) -> UInt32 {
    UInt32(truncatingIfNeeded: position + 1) & positionMask
  }

  private static func entry(_ hash: UInt64, _ position: Int) -> UInt32 {
    fingerprint(hash) << positionBits | positionField(position)
  }

  /// Puts `entry` in the first free slot from `hash`'s place; returns
  /// that slot.
  @discardableResult
  private mutating func place(_ entry: UInt32, hash: UInt64) -> Int {
    let mask = slots.count - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    while slots[index] != 0 { index = (index + 1) & mask }
    slots[index] = entry
    return index
  }

  /// Doubles the slots; the names are hashed again (a slot keeps only
  /// their fingerprint), found through `records`.
  private mutating func grow(_ records: [MemberTable.Record]) {
    let old = slots
    slots = Array(repeating: 0, count: max(16, old.count * 2))
    for entry in old where entry != 0 {
      let position = Int(entry & Self.positionMask) - 1
      guard position < records.count else { continue }
      place(entry, hash: Self.hash(records[position].name))
    }
  }
}
