import RumorCore
import RumorDiscovery
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Everything needed to start a node. The defaults give a LAN node on
/// 127.0.0.1:7946 with no encryption and no tags.
///
/// ```swift
/// var configuration = NodeConfiguration(name: "api-1")
/// configuration.bind = NodeAddress("10.0.0.5:7946")!
/// configuration.tags = ["svc.api": "http://:8080"]
/// let node = try RumorNode.start(configuration)
/// ```
public struct NodeConfiguration: Sendable {
  /// The node's unique name in the cluster.
  public var name: String
  /// Where to listen (UDP and TCP on the same port). Port 0 picks a free
  /// port. 0.0.0.0 listens everywhere; then `advertise` (or the first
  /// private address of this machine) is what others are told.
  public var bind: NodeAddress
  /// The address other members should use, when it differs from `bind`
  /// (behind NAT, in containers, or when binding 0.0.0.0).
  public var advertise: NodeAddress?
  /// The protocol settings: a profile and a preset (`Preset.standard`
  /// unless given), plus any overrides.
  public var settings: SWIMSettings
  /// Encryption keys (16, 24 or 32 bytes each); the first encrypts.
  /// Empty for a plaintext cluster.
  public var keys: [[UInt8]]
  /// Where the keyring is kept across restarts (Serf's `-keyring-file`),
  /// or nil. When the file exists its keys replace `keys`; otherwise
  /// `keys` are written to it. Each key installed, used or removed (by
  /// `serf keys` or `rumor keys`) rewrites it, atomically, mode 0600.
  public var keyringFile: String?
  /// The cluster label; nodes with different labels ignore each other.
  public var label: String
  /// Serf-compatible tags gossiped in the node's metadata (512 bytes at
  /// most once encoded).
  public var tags: [String: String]
  /// Services this node runs, advertised as `svc.<name>` tags and
  /// checked as each one's check says (see `RumorNode.advertise`).
  public var services: [AdvertisedService]
  /// Seeds every random choice the protocol makes (random when nil).
  public var seed: UInt64?
  /// Where the node's log records go (`RumorLogHandler`); nil, the
  /// default, for a silent node.
  public var logHandler: (any RumorLogHandler)?
  /// How long `RumorNode.run()` spreads the news of a graceful leave
  /// before it shuts down.
  public var leaveTimeout: Duration = .seconds(5)
  /// How often the log handler hears a summary of refused traffic: a
  /// minute, except in tests that cannot wait that long.
  var refusedTrafficSummaryInterval: Duration = NodeActivityLog.summaryInterval
  /// Whether the node computes Serf's network coordinates and sends its
  /// own in every ack (Serf's default; off is Serf's
  /// `DisableCoordinates`). On by default: acks grow by 130 bytes, as a
  /// Serf agent's do.
  public var networkCoordinates = true
  /// The `poll` the node's loop calls: the system's, except in tests that
  /// make it fail.
  var poll: @Sendable (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32 = {
    fds, count, timeout in
    Glibc.poll(fds, count, timeout)
  }

  /// A configuration with the defaults above.
  public init(
    name: String, bind: NodeAddress = NodeAddress(ipv4: 127, 0, 0, 1, port: 7946),
    advertise: NodeAddress? = nil, settings: SWIMSettings = SWIMSettings(preset: .standard),
    keys: [[UInt8]] = [], label: String = "", tags: [String: String] = [:],
    services: [AdvertisedService] = [], seed: UInt64? = nil
  ) {
    self.name = name
    self.bind = bind
    self.advertise = advertise
    self.settings = settings
    self.keys = keys
    self.label = label
    self.tags = tags
    self.services = services
    self.seed = seed
  }
}
