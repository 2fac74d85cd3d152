/// A point on a monotonic clock, in nanoseconds from an arbitrary origin.
///
/// The core never reads a clock: the node runtime passes the monotonic
/// clock's reading and the simulator passes virtual time. An integer keeps
/// the arithmetic cheap and exact, which the simulator's millions of timer
/// comparisons and its byte-identical replays rely on.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Nanoseconds from the clock's origin.
  public var nanoseconds: Int64

  /// Creates a timestamp.
  public init(nanoseconds: Int64) {
    self.nanoseconds = nanoseconds
  }

  /// The clock's origin.
  public static let zero = Timestamp(nanoseconds: 0)

  /// A timestamp `seconds` after the origin.
  public static func seconds(_ seconds: Double) -> Timestamp {
    Timestamp(nanoseconds: Int64(seconds * 1e9))
  }

  /// Seconds from the origin, for reports.
  public var seconds: Double { Double(nanoseconds) / 1e9 }

  /// Orders timestamps.
  public static func < (left: Timestamp, right: Timestamp) -> Bool {
    left.nanoseconds < right.nanoseconds
  }

  /// The timestamp `duration` later (saturating, never trapping).
  public static func + (left: Timestamp, right: Duration) -> Timestamp {
    Timestamp(nanoseconds: left.nanoseconds.addingSaturating(right.nanosecondsClamped))
  }

  /// The timestamp `nanoseconds` later (saturating).
  public func advanced(by nanoseconds: Int64) -> Timestamp {
    Timestamp(nanoseconds: self.nanoseconds.addingSaturating(nanoseconds))
  }

  /// Nanoseconds from `earlier` to this timestamp.
  public func nanoseconds(since earlier: Timestamp) -> Int64 {
    nanoseconds.subtractingSaturating(earlier.nanoseconds)
  }

  /// The time from `earlier` to this timestamp.
  public static func - (left: Timestamp, right: Timestamp) -> Duration {
    .nanoseconds(left.nanoseconds(since: right))
  }

  /// Seconds with millisecond precision, e.g. "12.345s".
  public var description: String {
    let millis = nanoseconds / 1_000_000
    let sign = millis < 0 ? "-" : ""
    let magnitude = millis.magnitude
    let fraction = String(magnitude % 1000)
    return
      "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
  }
}

extension Duration {
  /// The duration in nanoseconds, clamped to the range of `Int64`.
  public var nanosecondsClamped: Int64 {
    let (seconds, attoseconds) = components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    guard !overflow else { return seconds < 0 ? .min : .max }
    return whole.addingSaturating(attoseconds / 1_000_000_000)
  }
}

extension Int64 {
  /// Addition that saturates at the bounds instead of trapping.
  func addingSaturating(_ other: Int64) -> Int64 {
    let (sum, overflow) = addingReportingOverflow(other)
    guard overflow else { return sum }
    return other > 0 ? .max : .min
  }

  /// Subtraction that saturates at the bounds instead of trapping.
  func subtractingSaturating(_ other: Int64) -> Int64 {
    let (difference, overflow) = subtractingReportingOverflow(other)
    guard overflow else { return difference }
    return other < 0 ? .max : .min
  }
}
