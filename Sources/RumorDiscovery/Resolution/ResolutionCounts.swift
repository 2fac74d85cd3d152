/// How many answers a resolver gave, by the step that answered, and how
/// many lookups found nothing: the agent's `rumor_resolutions_total`.
public struct ResolutionCounts: Hashable, Sendable {
  /// Answers from `<NAME>_HOST`.
  public var environment = 0
  /// Answers from the gossip view.
  public var gossip = 0
  /// Answers from the configuration file.
  public var configuration = 0
  /// Answers from the mode's convention.
  public var convention = 0
  /// Lookups that found nothing (a `ResolutionError`).
  public var unanswered = 0

  /// No answers yet.
  public init() {}

  /// The answers by source.
  public var answered: [ResolutionSource: Int] {
    [
      .environment: environment, .gossip: gossip, .configuration: configuration,
      .convention: convention,
    ]
  }

  /// Counts one answer from `source`.
  mutating func record(_ source: ResolutionSource) {
    switch source {
    case .environment: environment &+= 1
    case .gossip: gossip &+= 1
    case .configuration: configuration &+= 1
    case .convention: convention &+= 1
    }
  }

  /// Adds another resolver's counts (a registry sums its lanes).
  public mutating func add(_ other: ResolutionCounts) {
    environment &+= other.environment
    gossip &+= other.gossip
    configuration &+= other.configuration
    convention &+= other.convention
    unanswered &+= other.unanswered
  }
}
