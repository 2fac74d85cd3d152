/// One member's last join or leave intent time, as Serf's push-pull state
/// carries it (an entry of its `StatusLTimes` map).
public struct SerfStatusTime: Hashable, Sendable {
  /// The member's name.
  public var name: String
  /// The Lamport time of the member's last join or leave intent.
  public var time: UInt64

  /// Creates an entry.
  public init(name: String, time: UInt64) {
    self.name = name
    self.time = time
  }
}
