/// The six version bytes every alive message and pushed node state carries:
/// the memberlist protocol range and the delegate (Serf) protocol range.
///
/// Features are gated on the peer's `protocolMax`: 3 adds the TCP fallback
/// ping, 4 nacks, 5 the CRC header.
public struct ProtocolVersions: Hashable, Sendable {
  /// Oldest memberlist protocol understood.
  public var protocolMin: UInt8
  /// Newest memberlist protocol understood.
  public var protocolMax: UInt8
  /// Memberlist protocol spoken.
  public var protocolCurrent: UInt8
  /// Oldest delegate protocol understood.
  public var delegateMin: UInt8
  /// Newest delegate protocol understood.
  public var delegateMax: UInt8
  /// Delegate protocol spoken.
  public var delegateCurrent: UInt8

  /// What Rumor advertises: memberlist 1 to 5 speaking 2, and the Serf
  /// delegate range 2 to 5 speaking 4, so that Serf agents admit us.
  public static let rumor = ProtocolVersions(
    protocolMin: 1, protocolMax: 5, protocolCurrent: 2, delegateMin: 2, delegateMax: 5,
    delegateCurrent: 4)

  /// Creates a version vector.
  public init(
    protocolMin: UInt8, protocolMax: UInt8, protocolCurrent: UInt8, delegateMin: UInt8,
    delegateMax: UInt8, delegateCurrent: UInt8
  ) {
    self.protocolMin = protocolMin
    self.protocolMax = protocolMax
    self.protocolCurrent = protocolCurrent
    self.delegateMin = delegateMin
    self.delegateMax = delegateMax
    self.delegateCurrent = delegateCurrent
  }

  /// Reads the first six bytes of `vsn`; nil when there are fewer.
  public init?(_ vsn: [UInt8]) {
    self.init(vsn[...])
  }

  /// Reads the first six bytes of `vsn`; nil when there are fewer.
  public init?(_ vsn: ArraySlice<UInt8>) {
    guard vsn.count >= 6 else { return nil }
    let start = vsn.startIndex
    self.init(
      protocolMin: vsn[start], protocolMax: vsn[start + 1], protocolCurrent: vsn[start + 2],
      delegateMin: vsn[start + 3], delegateMax: vsn[start + 4], delegateCurrent: vsn[start + 5])
  }

  /// The six bytes in wire order.
  public var bytes: [UInt8] {
    [protocolMin, protocolMax, protocolCurrent, delegateMin, delegateMax, delegateCurrent]
  }
}
