/// A Lamport clock as Serf keeps three of them (member, event and query
/// time): a counter that only moves forward, past every time it has seen.
///
/// Arithmetic saturates at `UInt64.max` instead of wrapping as Go's does:
/// the times come from the network, and a hostile peer must not be able to
/// trap us or send our clock back to zero.
public struct LamportClock: Hashable, Sendable {
  /// The current time: what the next message stamped by this clock carries.
  public private(set) var time: UInt64

  /// Creates a clock at `time` (zero by default, as Serf's start).
  public init(time: UInt64 = 0) {
    self.time = time
  }

  /// Moves the clock one tick forward and returns the new time.
  @discardableResult
  public mutating func increment() -> UInt64 {
    time = time == .max ? .max : time + 1
    return time
  }

  /// Takes note of a time seen elsewhere: a time at or past ours moves us
  /// one beyond it, so everything we stamp afterwards is later (Serf's
  /// `LamportClock.Witness`).
  public mutating func witness(_ seen: UInt64) {
    guard seen >= time else { return }
    time = seen == .max ? .max : seen + 1
  }

  /// Takes note of a clock a peer reported in push-pull state. The peer has
  /// not sent anything stamped with its current time yet, so we witness
  /// the time before it, and a zero (a peer that never started its clock)
  /// not at all (Serf's `delegate.MergeRemoteState`).
  public mutating func witnessRemoteClock(_ remote: UInt64) {
    guard remote > 0 else { return }
    witness(remote - 1)
  }
}
