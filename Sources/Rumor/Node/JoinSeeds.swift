import RumorDiscovery

/// The members a starting node joins through, and how hard it tries
/// (`RumorNode.start(_:joining:)`).
///
/// Seeds someone asked for (`gossip.join`, `RUMOR_JOIN`, `rumor agent
/// --join`) are tried first and waited for. The deployment mode's
/// conventional seeds (`GossipSeeds`) are tried in the background: in a
/// fresh cluster most of them are not up yet, or are this very node. While
/// the node knows no other live member, all of them are tried again every
/// `retryInterval`, since the first node of a cluster has nobody to join
/// until the others start.
public struct JoinSeeds: Hashable, Sendable {
  /// Seeds someone asked for, "host:port" or a name.
  public var configured: [String]
  /// The deployment mode's conventional seeds: tried quietly.
  public var conventional: [String]
  /// Whether `start` fails when no configured seed answers (the agent
  /// does: a `--join` that cannot work is a mistake to report at once).
  /// When false, as by default, the node starts alone and keeps trying,
  /// so that a seed that is not up yet never stops the service embedding
  /// the node.
  public var mustAnswer: Bool
  /// How often a node that is alone tries its seeds again.
  public var retryInterval: Duration

  /// Seeds as given.
  public init(
    configured: [String] = [], conventional: [String] = [], mustAnswer: Bool = false,
    retryInterval: Duration = .seconds(10)
  ) {
    self.configured = configured
    self.conventional = conventional
    self.mustAnswer = mustAnswer
    self.retryInterval = retryInterval
  }

  /// The seeds of an effective configuration: `gossip.join` (file or
  /// `RUMOR_JOIN`) as configured, the mode's convention as conventional.
  public init(_ configuration: EffectiveConfiguration) {
    let conventional = GossipSeeds.conventional(
      mode: configuration.mode, domain: configuration.domain,
      namespace: configuration.namespace, services: configuration.services.map(\.name))
    self.init(
      configured: configuration.gossip.seeds.filter { !conventional.contains($0) }.map(
        \.description),
      conventional: conventional.map(\.description))
  }

  /// Every seed, configured first, without repeats.
  var all: [String] {
    var seen: Set<String> = []
    return (configured + conventional).filter { seen.insert($0).inserted }
  }

  /// Whether there is anything to join through.
  public var isEmpty: Bool { configured.isEmpty && conventional.isEmpty }
}
