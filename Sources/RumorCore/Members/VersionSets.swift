import RumorWire

/// The protocol version sets a member table's records use, each kept once:
/// a record holds a 1-byte code instead of the six version bytes, which
/// makes it 56 bytes instead of 64 (one per member per node: 0.8 GB of a
/// 10,000-node simulation). A cluster speaks one or two sets.
///
/// The version bytes come from the wire, so anything can arrive. Each
/// set counts the records that use it and its slot is taken again once
/// none does; when `maximumSets` are in use at once, a record's set is
/// kept in `overflow` under the member's name instead (code
/// `overflowCode`). So the list holds at most `maximumSets` sets and the
/// overflow at most one set per record: whatever a stream of distinct
/// version bytes carries, this holds no more than the table's members.
struct VersionSets {
  /// A set and how many records use it (0: the slot is free).
  private struct Slot {
    var versions: ProtocolVersions
    var uses: UInt32
  }

  /// The code of a record whose set is in the overflow.
  static let overflowCode: UInt8 = .max
  /// The most sets held by code (codes 0 to `maximumSets - 1`).
  static let maximumSets = Int(overflowCode)

  private var slots: [Slot] = []
  private var overflow: [String: ProtocolVersions] = [:]

  /// How many sets records use by code.
  var setsInUse: Int { slots.reduce(0) { $0 + ($1.uses > 0 ? 1 : 0) } }
  /// How many sets are held for slots, free ones included.
  var slotCount: Int { slots.count }
  /// How many records keep their set in the overflow.
  var overflowCount: Int { overflow.count }

  /// The set of the record of `name` with `code`; `.rumor` for a code
  /// this list never gave out (a record not in the table).
  func versions(code: UInt8, name: String) -> ProtocolVersions {
    if code == Self.overflowCode { return overflow[name] ?? .rumor }
    let index = Int(code)
    return index < slots.count ? slots[index].versions : .rumor
  }

  /// Counts one more use of `versions`, by the record of `name`; returns
  /// the record's code. Balance with `release`.
  mutating func retain(_ versions: ProtocolVersions, name: String) -> UInt8 {
    var free: Int?
    for index in slots.indices {
      if slots[index].uses == 0 {
        if free == nil { free = index }
      } else if slots[index].versions == versions {
        slots[index].uses += 1
        return UInt8(truncatingIfNeeded: index)
      }
    }
    if let free {
      slots[free] = Slot(versions: versions, uses: 1)
      return UInt8(truncatingIfNeeded: free)
    }
    if slots.count < Self.maximumSets {
      slots.append(Slot(versions: versions, uses: 1))
      return UInt8(truncatingIfNeeded: slots.count - 1)
    }
    overflow[name] = versions
    return Self.overflowCode
  }

  /// Counts one use fewer of the set with `code`, by the record of `name`
  /// (which goes, or takes another set).
  mutating func release(code: UInt8, name: String) {
    if code == Self.overflowCode {
      overflow[name] = nil
      return
    }
    let index = Int(code)
    guard index < slots.count, slots[index].uses > 0 else { return }
    slots[index].uses -= 1
  }
}
