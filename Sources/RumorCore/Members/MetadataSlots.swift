/// The metadata of a member table's records, kept beside them: a record
/// holds a 4-byte code instead of an 8-byte array reference, which with
/// the 4-byte Serf status time makes it 48 bytes instead of 56 (one
/// record per member per node; docs/simulation.md, "Eighth round").
///
/// Code 0 is the empty metadata, which takes no slot (a member without
/// tags); any other code is a slot holding one record's metadata. A
/// record's slot is given back when the record goes or its metadata
/// becomes empty, and free slots are taken again before the list grows,
/// so the list never holds more slots than the table has held records
/// with metadata at once.
struct MetadataSlots {
  /// `slots[code - 1]` is the metadata of the record with `code`.
  private var slots: [[UInt8]] = []
  /// Codes of slots no record uses.
  private var freeCodes: [UInt32] = []

  /// How many slots records use.
  var slotsInUse: Int { slots.count - freeCodes.count }
  /// How many slots are held, free ones included.
  var slotCount: Int { slots.count }

  /// The metadata with `code`; empty for a code this list never gave out.
  func metadata(code: UInt32) -> [UInt8] {
    let index = Int(code) - 1
    return index >= 0 && index < slots.count ? slots[index] : []
  }

  /// Keeps `metadata` for one record; returns the record's code. Balance
  /// with `release`.
  mutating func store(_ metadata: [UInt8]) -> UInt32 {
    guard !metadata.isEmpty else { return 0 }
    if let code = freeCodes.popLast() {
      slots[Int(code) - 1] = metadata
      return code
    }
    slots.append(metadata)
    return UInt32(truncatingIfNeeded: slots.count)
  }

  /// Gives back the slot of `code` (its record goes, or takes other
  /// metadata).
  mutating func release(code: UInt32) {
    let index = Int(code) - 1
    // A slot in use is never empty (empty metadata takes none), so a
    // free one is not listed twice.
    guard index >= 0 && index < slots.count && !slots[index].isEmpty else { return }
    slots[index] = []
    freeCodes.append(code)
  }

  /// Replaces the metadata of the record with `code`; returns its new code.
  mutating func replace(code: UInt32, with metadata: [UInt8]) -> UInt32 {
    let index = Int(code) - 1
    if index >= 0 && index < slots.count && !metadata.isEmpty {
      slots[index] = metadata
      return code
    }
    release(code: code)
    return store(metadata)
  }
}
