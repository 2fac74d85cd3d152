/// What the Serf layer keeps about one member (Serf's `memberState`,
/// without the address and tags, which the SWIM core already has).
///
/// 16 bytes: one per member per node adds up to gigabytes in a
/// 10,000-node simulation, so the status shares a word with the leave
/// time instead of taking (with padding) a third one. The member table
/// (`MemberTable.subscript(serf:)`) keeps its parts in the member's
/// record (status time and status; the leave time, which only failed
/// and left members have, apart); `absent` (status bits 0, Serf's
/// `StatusNone`) stands for no record.
struct SerfMemberRecord: Hashable, Sendable {
  /// The Lamport time of the last join or leave intent applied to the
  /// member; an intent must be later than this to change anything.
  var statusTime: UInt64
  /// The leave time's nanoseconds shifted left by `statusBits`, the
  /// status's raw value in the low bits; `noLeaveTime` stands for nil.
  private var word: Int64

  private static let statusBits: Int64 = 3
  private static let statusMask: Int64 = (1 << statusBits) - 1
  /// The nanoseconds that fit the word, ±2^60 (about 36 years from the
  /// clock's origin: the runtime's clock counts from boot); the lowest
  /// of them stands for no leave time.
  private static let noLeaveTime = Int64.min >> statusBits
  private static let latestLeaveTime = Int64.max >> statusBits

  /// No record: Serf does not know the member (or forgot it).
  static let absent = SerfMemberRecord(statusTime: 0, word: noLeaveTime << statusBits)

  private init(statusTime: UInt64, word: Int64) {
    self.statusTime = statusTime
    self.word = word
  }

  /// Whether this is a record rather than `absent`.
  var isPresent: Bool { word & Self.statusMask != 0 }

  init(status: SerfMemberStatus, statusTime: UInt64, leaveTime: Timestamp?) {
    self.statusTime = statusTime
    word = 0
    self.leaveTime = leaveTime
    self.status = status
  }

  /// When memberlist lost the member: the start of its reconnect or
  /// tombstone timeout. Nil while it is alive or leaving. A time beyond
  /// ±2^60 ns of the clock's origin is kept as the nearest one that fits.
  var leaveTime: Timestamp? {
    get {
      let nanoseconds = word >> Self.statusBits
      return nanoseconds == Self.noLeaveTime ? nil : Timestamp(nanoseconds: nanoseconds)
    }
    set {
      let nanoseconds =
        newValue.map { min(max($0.nanoseconds, Self.noLeaveTime + 1), Self.latestLeaveTime) }
        ?? Self.noLeaveTime
      word = nanoseconds << Self.statusBits | word & Self.statusMask
    }
  }

  /// The member's Serf status.
  var status: SerfMemberStatus {
    get { SerfMemberStatus(rawValue: Int(word & Self.statusMask)) ?? .alive }
    set { word = word & ~Self.statusMask | Int64(newValue.rawValue) }
  }
}
