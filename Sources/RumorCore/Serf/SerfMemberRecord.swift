/// What the Serf layer keeps about one member (Serf's `memberState`,
/// without the address and tags, which the SWIM core already has).
struct SerfMemberRecord: Hashable, Sendable {
  // Stored in this order so that the record takes 24 bytes, not 32 (with
  // the status first, padding follows it): one per member per node adds
  // up to gigabytes in a 10,000-node simulation.

  /// The Lamport time of the last join or leave intent applied to the
  /// member; an intent must be later than this to change anything.
  var statusTime: UInt64
  /// When memberlist lost the member: the start of its reconnect or
  /// tombstone timeout. Nil while it is alive or leaving.
  var leaveTime: Timestamp?
  /// The member's Serf status.
  var status: SerfMemberStatus

  init(status: SerfMemberStatus, statusTime: UInt64, leaveTime: Timestamp?) {
    self.statusTime = statusTime
    self.leaveTime = leaveTime
    self.status = status
  }
}
