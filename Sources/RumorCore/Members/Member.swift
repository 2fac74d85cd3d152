import RumorWire

/// One member of the cluster as a node sees it: an immutable value, handed
/// out in snapshots and events.
public struct Member: Hashable, Sendable, CustomStringConvertible {
  /// The unique name.
  public var name: String
  /// Where it listens.
  public var address: NodeAddress
  /// Its metadata (Serf tags; see `SerfTags`).
  public var meta: [UInt8]
  /// Its incarnation: only it raises it, to refute suspicion or change meta.
  public var incarnation: UInt32
  /// Its state.
  public var state: MemberState
  /// Its protocol version ranges.
  public var versions: ProtocolVersions
  /// When this node last saw its state change.
  public var stateChanged: Timestamp

  /// Creates a member value.
  public init(
    name: String, address: NodeAddress, meta: [UInt8] = [], incarnation: UInt32 = 1,
    state: MemberState = .alive, versions: ProtocolVersions = .rumor,
    stateChanged: Timestamp = .zero
  ) {
    self.name = name
    self.address = address
    self.meta = meta
    self.incarnation = incarnation
    self.state = state
    self.versions = versions
    self.stateChanged = stateChanged
  }

  /// "name address state incarnation".
  public var description: String { "\(name) \(address) \(state) inc=\(incarnation)" }
}
