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

  /// The policy of `settings`; nil settings (no Serf layer) never reconnect.
  init(_ settings: SerfSettings?) {
    interval = max(1, (settings?.reconnectInterval ?? .seconds(30)).nanosecondsClamped)
    eagerInterval = settings?.eagerReconnectInterval.map { max(1, $0.nanosecondsClamped) }
    backoff = max(1, (settings?.reconnectBackoff ?? .seconds(60)).nanosecondsClamped)
    inFlightLimit = max(1, settings?.reconnectsInFlightLimit ?? 1)
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
