import RumorCore
import Testing

@testable import RumorSimulator

@Suite("The simulator's agenda")
struct EventQueueTests {
  @Test("pops in (time, order of scheduling) order through schedules, pops and restores")
  func popsInOrder() {
    var queue = EventQueue<Int>()
    // What is pending, as (time, order, event); the next pop is its least.
    var model: [(time: Int64, order: UInt64, event: Int)] = []
    var random = SplitMix64(seed: 11)
    var scheduled: UInt64 = 0
    var event = 0
    for _ in 0..<20_000 {
      switch random.below(8) {
      case 0..<4:
        // Few distinct times, so that ties are common.
        let time = Int64(random.below(64))
        queue.schedule(event, at: time)
        model.append((time, scheduled, event))
        scheduled += 1
        event += 1
      case 4..<7:
        let expected = model.min { ($0.time, $0.order) < ($1.time, $1.order) }
        let popped = queue.popEntry()
        #expect(popped?.time == expected?.time)
        #expect(popped?.order == expected?.order)
        #expect(popped?.event == expected?.event)
        if let expected { model.removeAll { $0.order == expected.order } }
      default:
        // Taken out and put back: as if it had never left.
        guard let popped = queue.popEntry() else { continue }
        queue.restore(popped.event, at: popped.time, order: popped.order)
      }
      #expect(queue.count == model.count)
      let head = model.min { ($0.time, $0.order) < ($1.time, $1.order) }
      #expect(queue.nextEntry?.time == head?.time)
      #expect(queue.nextEntry?.order == head?.order)
    }
    while let expected = model.min(by: { ($0.time, $0.order) < ($1.time, $1.order) }) {
      #expect(queue.pop()?.event == expected.event)
      model.removeAll { $0.order == expected.order }
    }
    #expect(queue.isEmpty)
    #expect(queue.nextTime == nil)
  }
}
