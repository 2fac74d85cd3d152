import Testing

@testable import RumorCore

@Suite("The broadcast queue")
struct BroadcastQueueTests {
  func message(_ byte: UInt8, size: Int = 20) -> [UInt8] { [UInt8](repeating: byte, count: size) }

  @Test("a newer message about a member replaces the queued one")
  func invalidation() {
    var queue = BroadcastQueue()
    queue.enqueue(message(1), subject: "a")
    queue.enqueue(message(2), subject: "b")
    queue.enqueue(message(3), subject: "a")
    #expect(queue.count == 2)
    let taken = queue.take(space: 1000, overheadEach: 2, limit: 5, maximumCount: 10)
    #expect(taken == [message(3), message(2)])
  }

  @Test("each message is handed out at most `limit` times, fewest transmissions first")
  func retransmitLimit() {
    var queue = BroadcastQueue()
    queue.enqueue(message(1), subject: "a")
    for _ in 0..<3 {
      #expect(queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10) == [message(1)])
    }
    #expect(queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10).isEmpty)
    #expect(queue.isEmpty)
    // A fresh message goes before one already sent.
    queue.enqueue(message(1), subject: "a")
    _ = queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10)
    queue.enqueue(message(2), subject: "b")
    #expect(queue.take(space: 22, overheadEach: 2, limit: 3, maximumCount: 10) == [message(2)])
  }

  @Test("what does not fit is skipped and smaller messages still go")
  func packing() {
    var queue = BroadcastQueue()
    queue.enqueue(message(1, size: 30), subject: "small")
    queue.enqueue(message(2, size: 100), subject: "big")
    let taken = queue.take(space: 40, overheadEach: 2, limit: 3, maximumCount: 10)
    #expect(taken == [message(1, size: 30)])
    #expect(queue.count == 2)
  }

  @Test("thousands of messages cycle through without losing or repeating any")
  func manyMessages() {
    var queue = BroadcastQueue()
    for index in 0..<5_000 { queue.enqueue(message(UInt8(index % 250)), subject: "m\(index)") }
    for index in stride(from: 0, to: 5_000, by: 3) {
      queue.enqueue(message(251), subject: "m\(index)")
    }
    var handedOut = 0
    var rounds = 0
    while !queue.isEmpty && rounds < 10_000 {
      handedOut += queue.take(space: 1400, overheadEach: 2, limit: 4, maximumCount: 255).count
      rounds += 1
    }
    #expect(handedOut == 5_000 * 4)
  }

  @Test("past its capacity the queue drops the message sent most often, never the protected one")
  func capacity() {
    var queue = BroadcastQueue()
    queue.capacity = 3
    queue.protectedSubject = "me"
    queue.enqueue(message(0), subject: "me")
    _ = queue.take(space: 1000, overheadEach: 2, limit: 10, maximumCount: 10)
    _ = queue.take(space: 1000, overheadEach: 2, limit: 10, maximumCount: 10)
    queue.enqueue(message(1), subject: "a")
    _ = queue.take(space: 1000, overheadEach: 2, limit: 10, maximumCount: 10)
    queue.enqueue(message(2), subject: "b")
    queue.enqueue(message(3), subject: "c")
    #expect(queue.count == 3)
    #expect(queue.contains(subject: "me"))
    #expect(!queue.contains(subject: "a"))
    #expect(queue.contains(subject: "b") && queue.contains(subject: "c"))
  }
}
