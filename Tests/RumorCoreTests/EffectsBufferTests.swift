import RumorWire
import Testing

@testable import RumorCore

@Suite("The effects buffer and the Serf records stay small")
struct EffectsBufferTests {
  @Test("after a burst of thousands of effects, later inputs return small arrays")
  func burstCapacityIsNotKept() throws {
    var node = try makeNode(knowing: 3)
    // One push-pull stream per address: a burst of 2,000 effects.
    let burst = node.join((1...2_000).map { address(10 + $0) }, now: at(1))
    #expect(burst.count >= 2_000)
    // Keeping the burst's capacity would hand every later caller (and
    // keep in the node) a buffer of 2,000 effects.
    let later = node.receive(.alive(alive(1, incarnation: 2)), from: address(1), now: at(1))
    #expect(later.capacity < 100, "capacity \(later.capacity)")
  }

  @Test("a Serf member record takes 16 bytes")
  func serfRecordSize() {
    // One per member per node: 8 bytes saved each is 800 MB in a
    // 10,000-node simulation (32 bytes once, then 24; 16 since the
    // status shares a word with the leave time).
    #expect(MemoryLayout<SerfMemberRecord>.stride == 16)
  }
}
