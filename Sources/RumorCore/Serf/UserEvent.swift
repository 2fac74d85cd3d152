/// A custom event broadcast to the whole cluster (`serf event`,
/// `ClusterNode.sendUserEvent`), as delivered to the application.
public struct UserEvent: Hashable, Sendable {
  /// The event clock time it was sent at; with the name and payload it
  /// identifies the event (a repeat is not delivered twice).
  public var lamportTime: UInt64
  /// The event's name.
  public var name: String
  /// The event's payload (at most `SerfSettings.userEventSizeLimit` bytes
  /// with the name).
  public var payload: [UInt8]
  /// Whether the sender allowed events of this name to be coalesced
  /// (only the latest of a burst delivered).
  public var coalesce: Bool

  /// Creates an event value.
  public init(lamportTime: UInt64, name: String, payload: [UInt8], coalesce: Bool) {
    self.lamportTime = lamportTime
    self.name = name
    self.payload = payload
    self.coalesce = coalesce
  }
}
