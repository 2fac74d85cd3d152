/// What the Serf layer keeps about one member (Serf's `memberState`,
/// without the address and tags, which the SWIM core already has).
struct SerfMemberRecord: Hashable, Sendable {
  /// The member's Serf status.
  var status: SerfMemberStatus
  /// The Lamport time of the last join or leave intent applied to the
  /// member; an intent must be later than this to change anything.
  var statusTime: UInt64
  /// When memberlist lost the member: the start of its reconnect or
  /// tombstone timeout. Nil while it is alive or leaving.
  var leaveTime: Timestamp?
}
