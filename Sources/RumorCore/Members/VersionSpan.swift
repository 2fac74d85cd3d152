import RumorWire

/// memberlist's compatibility check for a push-pull merge: over the alive
/// members on both sides, the highest minimum and lowest maximum protocol
/// (and delegate) versions bound what every member may speak; if any
/// member's current version falls outside, the merge (and so the join) is
/// refused. A version vector shorter than six bytes counts as all zeros,
/// which fails in any real cluster, as in memberlist.
struct VersionSpan {
  private var highestProtocolMin: UInt8 = 0
  private var lowestProtocolMax: UInt8 = .max
  private var highestDelegateMin: UInt8 = 0
  private var lowestDelegateMax: UInt8 = .max
  private var lowestProtocolCurrent: UInt8 = .max
  private var highestProtocolCurrent: UInt8 = 0
  private var lowestDelegateCurrent: UInt8 = .max
  private var highestDelegateCurrent: UInt8 = 0

  /// Takes one member into account.
  mutating func include(_ versions: ProtocolVersions?, alive: Bool) {
    let vector =
      versions
      ?? ProtocolVersions(
        protocolMin: 0, protocolMax: 0, protocolCurrent: 0, delegateMin: 0, delegateMax: 0,
        delegateCurrent: 0)
    if alive {
      highestProtocolMin = max(highestProtocolMin, vector.protocolMin)
      lowestProtocolMax = min(lowestProtocolMax, vector.protocolMax)
      highestDelegateMin = max(highestDelegateMin, vector.delegateMin)
      lowestDelegateMax = min(lowestDelegateMax, vector.delegateMax)
    }
    lowestProtocolCurrent = min(lowestProtocolCurrent, vector.protocolCurrent)
    highestProtocolCurrent = max(highestProtocolCurrent, vector.protocolCurrent)
    lowestDelegateCurrent = min(lowestDelegateCurrent, vector.delegateCurrent)
    highestDelegateCurrent = max(highestDelegateCurrent, vector.delegateCurrent)
  }

  /// Why the members cannot all talk, or nil when they can.
  var incompatibility: String? {
    if lowestProtocolCurrent < highestProtocolMin || highestProtocolCurrent > lowestProtocolMax {
      return
        "protocol versions spoken range from \(lowestProtocolCurrent) to \(highestProtocolCurrent) but only \(highestProtocolMin) to \(lowestProtocolMax) are understood by all"
    }
    if lowestDelegateCurrent < highestDelegateMin || highestDelegateCurrent > lowestDelegateMax {
      return
        "delegate (Serf) versions spoken range from \(lowestDelegateCurrent) to \(highestDelegateCurrent) but only \(highestDelegateMin) to \(lowestDelegateMax) are understood by all"
    }
    return nil
  }
}
