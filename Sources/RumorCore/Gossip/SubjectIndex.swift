/// The slot of each queued message by its subject, for `BroadcastQueue`,
/// in under half the memory of a `[String: Int32]`: an open-addressing
/// hash table of 8-byte entries (the slot and 32 bits of the subject's
/// hash) that compares subjects in the queue's own items instead of
/// keeping a second copy of each.
///
/// Every node of a large join holds a full queue (1,024 messages) for
/// most of the join, and a dictionary's 2,048 buckets of a 16-byte key and
/// a 4-byte value were about 40 KB of it (0.4 GB of a 10,000-node
/// simulation); these entries take 16 KB. The hash kept in each entry
/// spares the table the queue's items: a lookup reads an item's subject
/// only where the hashes match, and a removal's shift and a growth hash
/// nothing and read no item (docs/simulation.md, "Thirteenth round").
/// Nothing iterates the table, so the order of its entries changes
/// nothing a queue hands out. Subjects are hashed with the standard
/// library's seeded hasher, so crafted names cannot pile up in one place.
///
/// Linear probing; a removal shifts the entries after it back (no
/// tombstones), so lookups stay short however often subjects come and go.
struct SubjectIndex {
  /// One indexed subject.
  private struct Entry {
    /// `slot + 1`; 0 is empty.
    var slot: UInt32
    /// The low 32 bits of the subject's hash (its home is `hash & mask`).
    var hash: UInt32
  }

  private var entries: [Entry] = []
  /// How many subjects are indexed.
  private(set) var count = 0

  private static func hash(_ subject: String) -> UInt32 {
    UInt32(truncatingIfNeeded: subject.hashValue)
  }

  /// The slot queued under `subject`, if any; `subjectAt` gives the
  /// subject of the item in a slot.
  func slot(of subject: String, subjectAt: (Int32) -> String?) -> Int32? {
    place(of: subject, hash: Self.hash(subject), subjectAt: subjectAt).map {
      Int32(truncatingIfNeeded: entries[$0].slot &- 1)
    }
  }

  /// Where the entry for `subject` (whose hash is `hash`) is, if there
  /// is one.
  private func place(of subject: String, hash: UInt32, subjectAt: (Int32) -> String?) -> Int? {
    guard !entries.isEmpty else { return nil }
    let mask = entries.count - 1
    var index = Int(hash) & mask
    while true {
      let entry = entries[index]
      if entry.slot == 0 { return nil }
      if entry.hash == hash, subjectAt(Int32(truncatingIfNeeded: entry.slot &- 1)) == subject {
        return index
      }
      index = (index + 1) & mask
    }
  }

  /// Indexes `slot` under `subject`, replacing the entry of the same
  /// subject if there is one. The item in `slot` must already carry
  /// `subject`.
  mutating func set(_ slot: Int32, for subject: String, subjectAt: (Int32) -> String?) {
    let hash = Self.hash(subject)
    let entry = Entry(slot: UInt32(truncatingIfNeeded: slot) &+ 1, hash: hash)
    if let existing = place(of: subject, hash: hash, subjectAt: subjectAt) {
      entries[existing] = entry
      return
    }
    if (count + 1) * 4 > entries.count * 3 { grow() }
    count += 1
    let mask = entries.count - 1
    var index = Int(hash) & mask
    while entries[index].slot != 0 { index = (index + 1) & mask }
    entries[index] = entry
  }

  /// Removes the entry of `subject` if it points at `slot`.
  mutating func remove(_ subject: String, ifAt slot: Int32, subjectAt: (Int32) -> String?) {
    guard var hole = place(of: subject, hash: Self.hash(subject), subjectAt: subjectAt),
      entries[hole].slot == UInt32(truncatingIfNeeded: slot) &+ 1
    else { return }
    entries[hole] = Entry(slot: 0, hash: 0)
    count -= 1
    // Shift back the entries of the same run that could have sat in the
    // hole, so that no lookup stops at it before reaching them.
    let mask = entries.count - 1
    var index = hole
    while true {
      index = (index + 1) & mask
      let entry = entries[index]
      if entry.slot == 0 { return }
      let home = Int(entry.hash) & mask
      // Whether `home` lies cyclically in (hole, index]: if so the entry
      // stays, since a lookup from its home never passes the hole.
      let staysPut = hole <= index ? (hole < home && home <= index) : (hole < home || home <= index)
      if staysPut { continue }
      entries[hole] = entry
      entries[index] = Entry(slot: 0, hash: 0)
      hole = index
    }
  }

  /// Forgets every entry and hands the table's memory back.
  mutating func removeAll() {
    self = SubjectIndex()
  }

  /// Doubles the table, placing each entry by the hash it keeps.
  private mutating func grow() {
    let old = entries
    entries = Array(repeating: Entry(slot: 0, hash: 0), count: max(16, old.count * 2))
    let mask = entries.count - 1
    for entry in old where entry.slot != 0 {
      var index = Int(entry.hash) & mask
      while entries[index].slot != 0 { index = (index + 1) & mask }
      entries[index] = entry
    }
  }
}
