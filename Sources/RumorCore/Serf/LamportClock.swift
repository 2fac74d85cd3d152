/// A Lamport clock as Serf keeps three of them (member, event and query
/// time): a counter that only moves forward, past every time it has seen.
///
/// Arithmetic saturates at `UInt64.max` instead of wrapping as Go's does:
/// the times come from the network, and a hostile peer must not be able to
/// trap us or send our clock back to zero.
///
/// Beyond Serf: a time more than `maximumJump` (2^32) ahead of ours is not
/// witnessed, and the caller drops the message that carried it. Go's Serf
/// follows any time, so one message stamped near 2^64 would push every
/// clock in the cluster to the end of its range, where it stays: nothing
/// later could ever be stamped. A legitimate clock moves by one per join,
/// leave, user event or query, so a gap of four billion is not one a real
/// cluster opens (a new member starts at 1 and catches up in one step to
/// any clock below 2^32); reaching the end now takes 2^32 messages.
public struct LamportClock: Hashable, Sendable {
  /// The furthest ahead of ours a witnessed time may be: 2^32.
  public static let maximumJump: UInt64 = 1 << 32

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
  /// `LamportClock.Witness`). Returns false, and leaves the clock alone,
  /// for a time more than `maximumJump` ahead: the caller should drop what
  /// carried it.
  @discardableResult
  public mutating func witness(_ seen: UInt64) -> Bool {
    guard isPlausible(seen) else { return false }
    guard seen >= time else { return true }
    time = seen == .max ? .max : seen + 1
    return true
  }

  /// Whether `seen` is at most `maximumJump` ahead of this clock.
  public func isPlausible(_ seen: UInt64) -> Bool {
    seen <= time || seen - time <= Self.maximumJump
  }

  /// Takes note of a clock a peer reported in push-pull state. The peer has
  /// not sent anything stamped with its current time yet, so we witness
  /// the time before it, and a zero (a peer that never started its clock)
  /// not at all (Serf's `delegate.MergeRemoteState`).
  /// Returns false for an implausible time, as `witness` does.
  @discardableResult
  public mutating func witnessRemoteClock(_ remote: UInt64) -> Bool {
    guard remote > 0 else { return true }
    return witness(remote - 1)
  }
}
