import RumorCore

/// The `gossip:` section: how this process's node joins the cluster.
/// Unset fields take the deployment mode's defaults (see `GossipDefaults`
/// and `GossipSeeds`).
public struct GossipConfiguration: Hashable, Sendable {
  /// The node's unique name in the cluster.
  public var nodeName: String?
  /// Where to listen, UDP and TCP (a numeric address; port 0 picks one).
  public var bind: HostAndPort?
  /// The address to give others when it is not the bind address (NAT,
  /// containers, binding 0.0.0.0).
  public var advertise: HostAndPort?
  /// Members to join through: names or addresses, port 7946 unless given.
  /// A name joins every address it resolves to.
  public var join: [HostAndPort]
  /// AES-GCM keys, primary first; empty for a plaintext cluster.
  public var encryptionKeys: [[UInt8]]
  /// The cluster label; nodes with another label ignore each other.
  public var label: String?
  /// memberlist's timing preset.
  public var profile: Profile?
  /// Which of Rumor's policies are on (`Preset.standard` when unset).
  public var preset: Preset?
  /// Policies set one by one, over the preset's.
  public var policies: [PolicySetting: PolicyValue] = [:]
  /// Where the agent's HTTP API listens, or off.
  public var http: APIAddress?
  /// Where the keyring is kept across restarts (Serf's `-keyring-file`).
  public var keyringFile: String?

  /// Creates a gossip section; everything unset by default.
  public init(
    nodeName: String? = nil, bind: HostAndPort? = nil, advertise: HostAndPort? = nil,
    join: [HostAndPort] = [], encryptionKeys: [[UInt8]] = [], label: String? = nil,
    profile: Profile? = nil, http: APIAddress? = nil, keyringFile: String? = nil
  ) {
    self.keyringFile = keyringFile
    self.nodeName = nodeName
    self.bind = bind
    self.advertise = advertise
    self.join = join
    self.encryptionKeys = encryptionKeys
    self.label = label
    self.profile = profile
    self.http = http
  }
}
