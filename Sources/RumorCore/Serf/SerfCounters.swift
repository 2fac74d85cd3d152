/// Running totals of what the Serf layer received and decided, for
/// metrics and for tests.
public struct SerfCounters: Hashable, Sendable {
  /// Messages and push-pull states dropped because they did not decode (or
  /// a state did not start with the push-pull type).
  public var malformed = 0
  /// Well-formed messages of a type the layer has no use for (query
  /// responses, relays, unknown types); Serf drops them with a warning.
  public var ignored = 0
  /// Join and leave intents that changed a known member's status time.
  public var intentsApplied = 0
  /// Intents too old to matter: not later than what we already had.
  public var intentsStale = 0
  /// Intents about unknown members kept for when memberlist sees them.
  public var intentsBuffered = 0
  /// Buffered intents pushed out because the buffer was full.
  public var intentsEvicted = 0
  /// Join intents sent to refute a leave intent about this node.
  public var refutations = 0
  /// Members forgotten: reaped after their timeout, or pruned.
  public var membersForgotten = 0
  /// Messages, and parts of push-pull state, dropped because a Lamport
  /// time in them was more than `LamportClock.maximumJump` ahead.
  public var implausibleTimes = 0

  /// Creates zeroed counters.
  public init() {}
  /// User events delivered for the first time.
  public var userEventsDelivered = 0
  /// User events already seen (same time, name and payload).
  public var userEventsRepeated = 0
  /// User events older than the event ring reaches back.
  public var userEventsTooOld = 0
  /// User events from before a join that did not replay old events.
  public var userEventsIgnored = 0
  /// Failed or left members forgotten before their timeout because more
  /// than `SerfSettings.lostMemberLimit` were kept.
  public var lostMembersForgottenEarly = 0
  /// Queries this member processed (acked if asked, answered if not
  /// Serf's own).
  public var queriesAnswered = 0
  /// Queries already seen (same time and id).
  public var queriesRepeated = 0
  /// Queries older than the query ring reaches back.
  public var queriesTooOld = 0
  /// Queries whose filters left this member out.
  public var queriesFilteredOut = 0
  /// Tag filters whose expression is outside the supported subset.
  public var unsupportedTagExpressions = 0
  /// Relayed responses forwarded to their destination.
  public var relaysForwarded = 0
  /// Acks and responses dropped: for no query of ours still waiting, or
  /// a member's second.
  public var queryRepliesIgnored = 0
  /// Keyring changes made by Serf's key queries (install, use, remove).
  public var keyChanges = 0
  /// Name conflicts SWIM reported: a name claimed from a second address.
  public var nameConflicts = 0
  /// `_serf_conflict` queries answered with the record this node knows.
  public var conflictQueriesAnswered = 0
  /// Conflicts over this node's own name it kept (most answers named it).
  public var nameConflictsWon = 0
  /// Conflicts over this node's own name it lost, and stopped for.
  public var nameConflictsLost = 0
  /// Eager reconnect attempts: memberlist joins to a failed member
  /// (`SerfSettings.eagerReconnectInterval`).
  public var reconnectAttempts = 0
  /// Eager reconnect attempts the failed member answered: a partition
  /// healed, or the member came back.
  public var reconnectsAnswered = 0
}
