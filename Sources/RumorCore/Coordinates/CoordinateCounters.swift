/// What the network coordinates counted: updates taken, and ack payloads
/// refused, by reason. Bad payloads are dropped, never fatal.
public struct CoordinateCounters: Sendable, Hashable {
  /// Round trips that moved this node's coordinate.
  public var updates = 0
  /// Ack payloads that were not a Serf coordinate (another ping version,
  /// or bytes that do not decode).
  public var undecodablePayloads = 0
  /// Coordinates with another number of dimensions.
  public var incompatibleCoordinates = 0
  /// Coordinates with NaN, an infinity, or a part out of any plausible
  /// range.
  public var implausibleCoordinates = 0
  /// Round trips above 10 s (or below zero).
  public var roundTripsOutOfRange = 0
  /// Coordinates of new peers refused because as many peers as the
  /// member limit are already tracked.
  public var peersRefused = 0
  /// Times this node's own coordinate went invalid and was reset.
  public var resets = 0

  /// No counts.
  public init() {}
}
