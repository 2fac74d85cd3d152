/// What the node's TCP listener refused or cut short, so that an attack
/// (or a misbehaving peer) shows in numbers instead of in memory or CPU.
/// Every inbound stream that ends without being answered for one of these
/// reasons is counted once. See docs/security.md.
public struct InboundStreamCounters: Sendable, Hashable {
  /// Connections closed at once because `InboundLimits.maximumStreams`
  /// inbound streams were open.
  public var refusedBusy = 0
  /// Connections closed at once because their source address already had
  /// `InboundLimits.maximumPerSource` inbound streams open.
  public var refusedPerSource = 0
  /// Streams that sent nothing within `InboundLimits.firstBytesTimeout`.
  public var firstBytesTimeouts = 0
  /// Streams that had not finished their request within the TCP timeout.
  public var timeouts = 0
  /// Streams whose request was, or announced it would be, larger than the
  /// per-stream limit.
  public var oversized = 0
  /// Streams dropped because all inbound buffers together would have
  /// passed `InboundLimits.budget`.
  public var overBudget = 0
  /// Streams whose request was framed as complete but did not decode as
  /// one (they are closed; the decoder's own errors are in
  /// `NodeCounters.decodeErrors`).
  public var unframed = 0
  /// Replies that could not be written because the peer reset or closed
  /// the connection.
  public var repliesCut = 0

  /// No counts.
  public init() {}

  /// Every count added up.
  public var total: Int {
    refusedBusy + refusedPerSource + firstBytesTimeouts + timeouts + oversized + overBudget
      + unframed + repliesCut
  }
}
