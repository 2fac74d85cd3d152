/// When a member tries its failed members again: Serf's reconnect
/// (`SerfSettings.reconnectInterval`), made eager right after a failure
/// (`SerfSettings.eagerReconnectInterval`, doubling every
/// `SerfSettings.reconnectBackoff`). Times in nanoseconds.
struct ReconnectPolicy: Sendable, Hashable {
  /// Serf's interval, and the longest one.
  let interval: Int64
  /// The first interval after a failure; nil for Serf's reconnect alone.
  let eagerInterval: Int64?
  /// How long each doubling step lasts.
  let backoff: Int64
  /// The most attempts under way at once.
  let inFlightLimit: Int
  /// How long an eager attempt waits for its connection to be made: the
  /// probe timeout, the time an ack may take (memberlist's 99th
  /// percentile of the round trip), so that a member out of reach costs
  /// one SYN and not the system's retransmissions of it over the whole
  /// TCP timeout (Serf's reconnect pays those); never more than the TCP
  /// timeout. Nil for Serf's reconnect alone, which waits as Serf does.
  let connectTimeout: Duration?

  /// The policy of `settings`, for a node with the failure detector's
  /// settings `swim`; nil settings (no Serf layer) never reconnect.
  init(_ settings: SerfSettings?, swim: SWIMSettings = SWIMSettings()) {
    interval = max(1, (settings?.reconnectInterval ?? .seconds(30)).nanosecondsClamped)
    eagerInterval = settings?.eagerReconnectInterval.map { max(1, $0.nanosecondsClamped) }
    backoff = max(1, (settings?.reconnectBackoff ?? .seconds(60)).nanosecondsClamped)
    inFlightLimit = max(1, settings?.reconnectsInFlightLimit ?? 1)
    connectTimeout =
      eagerInterval == nil ? nil : min(swim.probeTimeout, swim.tcpTimeout)
  }

  /// How often the cluster as a whole should try a member that failed
  /// `age` ago: the eager interval, doubled once per backoff step, never
  /// above Serf's.
  func interval(age: Int64) -> Int64 {
    guard let eager = eagerInterval, eager < interval else { return interval }
    let steps = max(0, age) / backoff
    guard steps < 62 else { return interval }
    let (doubled, overflow) = eager.multipliedReportingOverflow(by: Int64(1) << steps)
    return overflow ? interval : min(interval, doubled)
  }

  /// `period` spread uniformly over ½ to 1½ of itself (the mean stays
  /// `period`), so that the members on one side of a partition, which
  /// declared the other side dead at about the same moment, do not all
  /// try at the same instants.
  static func jittered(_ period: Int64, using random: inout SplitMix64) -> Int64 {
    let span = Int(min(max(0, period), Int64(Int.max - 1)))
    return (period / 2).addingSaturating(Int64(random.below(span + 1)))
  }
}
