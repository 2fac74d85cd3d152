import Testing

@testable import RumorCore

@Suite("Cooldown: one action per key per interval, bounded")
struct CooldownTests {
  @Test("a key acts again only once its interval has passed; other keys are not held back")
  func oncePerInterval() {
    var cooldown = Cooldown<String>()
    let asked: [(String, Int64)] = [("a", 0), ("a", 9), ("b", 9), ("a", 10), ("a", 19)]
    let admitted = asked.map { cooldown.admits($0.0, now: $0.1, interval: 10) }
    #expect(admitted == [true, false, true, true, false])
  }

  @Test("past its limit it forgets the keys whose interval ran out, and keeps the others")
  func bounded() {
    var cooldown = Cooldown<Int>(limit: 4)
    let filled = (0..<4).map { cooldown.admits($0, now: Int64($0), interval: 10) }
    #expect(filled == [true, true, true, true])
    // At 12 the map is full: keys 0-2 are past their interval and go, key 3
    // is still held back.
    let later = [99, 3, 0].map { cooldown.admits($0, now: 12, interval: 10) }
    #expect(later == [true, false, true])
  }
}
