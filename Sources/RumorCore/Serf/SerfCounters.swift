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
}
