import Testing

@testable import RumorCore

@Suite("The Serf member record")
struct SerfMemberRecordTests {
  @Test("status and leave time are kept apart in one word")
  func roundTrip() {
    let times: [Timestamp?] = [
      nil, .zero, Timestamp(nanoseconds: 1), Timestamp(nanoseconds: -5),
      Timestamp(nanoseconds: 86_400_000_000_000 * 365 * 20),
    ]
    for status in SerfMemberStatus.allCases {
      for time in times {
        var record = SerfMemberRecord(status: status, statusTime: .max, leaveTime: time)
        #expect(record.status == status)
        #expect(record.leaveTime == time)
        #expect(record.statusTime == .max)
        for other in SerfMemberStatus.allCases {
          record.status = other
          #expect(record.leaveTime == time)
          #expect(record.status == other)
        }
        record.leaveTime = nil
        #expect(record.leaveTime == nil)
        record.leaveTime = time
        #expect(record.leaveTime == time)
      }
    }
  }

  @Test("a leave time beyond ±2^60 ns is kept as the nearest that fits, never as nil")
  func clamped() {
    var record = SerfMemberRecord(
      status: .failed, statusTime: 1, leaveTime: Timestamp(nanoseconds: .max))
    #expect(record.leaveTime == Timestamp(nanoseconds: Int64.max >> 3))
    #expect(record.status == .failed)
    record.leaveTime = Timestamp(nanoseconds: .min)
    #expect(record.leaveTime == Timestamp(nanoseconds: (Int64.min >> 3) + 1))
    #expect(record.status == .failed)
  }
}
