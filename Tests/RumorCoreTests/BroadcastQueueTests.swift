import RumorWire
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
    let taken = queue.take(space: 1000, overheadEach: 2, limit: 5, maximumCount: 10).map(Array.init)
    #expect(taken == [message(3), message(2)])
  }

  @Test("each message is handed out at most `limit` times, fewest transmissions first")
  func retransmitLimit() {
    var queue = BroadcastQueue()
    queue.enqueue(message(1), subject: "a")
    for _ in 0..<3 {
      #expect(
        queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10).map(Array.init)
          == [message(1)])
    }
    #expect(queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10).isEmpty)
    #expect(queue.isEmpty)
    // A fresh message goes before one already sent.
    queue.enqueue(message(1), subject: "a")
    _ = queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10)
    queue.enqueue(message(2), subject: "b")
    #expect(
      queue.take(space: 22, overheadEach: 2, limit: 3, maximumCount: 10).map(Array.init)
        == [message(2)])
  }

  @Test("a message held by a member stays queued in its packets and goes to the others")
  func heldMessage() {
    var queue = BroadcastQueue()
    let holder = address(1)
    queue.enqueue(message(1), subject: nil, heldBy: holder)
    queue.enqueue(message(2), subject: nil)
    func take(to destination: NodeAddress) -> [[UInt8]] {
      queue.take(
        space: 1000, overheadEach: 2, limit: 2, maximumCount: 10, skippingHeldBy: destination
      ).map(Array.init)
    }
    #expect(take(to: holder) == [message(2)])
    #expect(take(to: holder) == [message(2)])
    // Both sends of the held message are left for another member.
    #expect(take(to: address(2)) == [message(1)])
    #expect(take(to: address(3)) == [message(1)])
    #expect(queue.isEmpty)
    // A slot used again does not keep the old message's holder.
    queue.enqueue(message(3), subject: nil)
    #expect(take(to: holder) == [message(3)])
  }

  @Test("a queue drained after a storm hands its tables back and then works as a new one")
  func drainedAfterStorm() {
    var queue = BroadcastQueue()
    var fresh = BroadcastQueue()
    for round in 0..<2 {
      for index in 0..<500 {
        queue.enqueue(message(UInt8(index % 200)), subject: "m\(index)")
        fresh.enqueue(message(UInt8(index % 200)), subject: "m\(index)")
      }
      // Both hand out the same messages in the same order until empty.
      while !queue.isEmpty || !fresh.isEmpty {
        let taken = queue.take(space: 300, overheadEach: 2, limit: 2, maximumCount: 20)
        let expected = fresh.take(space: 300, overheadEach: 2, limit: 2, maximumCount: 20)
        #expect(taken.map(Array.init) == expected.map(Array.init), "round \(round)")
        if taken.isEmpty && expected.isEmpty { break }
      }
      #expect(queue.isEmpty && fresh.isEmpty)
      #expect(queue.storedBytes <= 1_024)
      fresh = BroadcastQueue()
    }
    queue.enqueue(message(7), subject: "m1")
    #expect(queue.contains(subject: "m1") && !queue.contains(subject: "m2"))
    #expect(
      queue.take(space: 1000, overheadEach: 2, limit: 3, maximumCount: 10).map(Array.init)
        == [message(7)])
  }

  @Test("what does not fit is skipped and smaller messages still go")
  func packing() {
    var queue = BroadcastQueue()
    queue.enqueue(message(1, size: 30), subject: "small")
    queue.enqueue(message(2, size: 100), subject: "big")
    let taken = queue.take(space: 40, overheadEach: 2, limit: 3, maximumCount: 10).map(Array.init)
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

  @Test("a full queue's slot tables stay at what it holds, not twice that")
  func fullQueueTables() {
    var queue = BroadcastQueue()
    queue.capacity = 1_024
    for index in 0..<5_000 {
      queue.enqueue(message(UInt8(truncatingIfNeeded: index)), subject: "member-\(index)")
    }
    #expect(queue.count == 1_024)
    // 1,025 slots at most (a message is queued before one is dropped),
    // give or take the allocator's rounding; doubling made it 2,048.
    #expect(queue.slotCapacity >= 1_025)
    #expect(queue.slotCapacity < 1_100)
  }

  @Test("news that can never fit a packet is dropped and counted, not skipped forever")
  func neverStarves() {
    var queue = BroadcastQueue()
    queue.maximumMessageSize = 1_000
    queue.enqueue(message(0, size: 20), subject: "old")
    // Newer than the small one, and each too long for any packet: before,
    // every take skipped them (64 at most) and handed out nothing.
    for index in 1...100 {
      queue.enqueue(message(UInt8(index), size: 1_200), subject: "big\(index)")
    }
    #expect(queue.oversizedDropped == 100)
    #expect(queue.count == 1)
    let taken = queue.take(space: 1_300, overheadEach: 2, limit: 3, maximumCount: 10).map(
      Array.init)
    #expect(taken == [message(0, size: 20)])
  }

  @Test("an oversized message drops the older news about its subject too")
  func oversizedSupersedes() {
    var queue = BroadcastQueue()
    queue.maximumMessageSize = 100
    queue.enqueue(message(1), subject: "a")
    queue.enqueue(message(2, size: 200), subject: "a")
    #expect(!queue.contains(subject: "a"))
    #expect(queue.isEmpty)
  }

  @Test("a node drops gossip longer than an empty packet and counts it")
  func nodeCountsOversized() throws {
    var settings = SWIMSettings(profile: .lan)
    settings.packetBudget = 200
    var node = try makeNode(knowing: 3, settings: settings)
    node.broadcastUserMessage([UInt8](repeating: 1, count: 500))
    node.broadcastUserMessage([UInt8](repeating: 2, count: 50))
    let effects = run(&node, from: 0, to: 1)
    #expect(node.counters.oversizedBroadcastsDropped == 1)
    #expect(node.pendingUserMessages <= 1)
    let users = sentMessages(effects).filter {
      if case .user = $0.message { return true }
      return false
    }
    #expect(!users.isEmpty)
  }

  @Test("a full queue with protected news takes O(1) per arrival and never loses or repeats it")
  func fullQueueStaysCheap() {
    func flood(capacity: Int) -> (BroadcastQueue, Duration) {
      var queue = BroadcastQueue()
      queue.capacity = capacity
      queue.protectedSubject = "me"
      queue.enqueue(message(0), subject: "me")
      let clock = ContinuousClock()
      let started = clock.now
      for index in 0..<100_000 {
        queue.enqueue(message(UInt8(truncatingIfNeeded: index)), subject: "m\(index)")
      }
      return (queue, clock.now - started)
    }
    // Timed against a queue 64 times smaller, so that a busy machine slows
    // both alike. Before, each drop rescanned every stale entry behind the
    // protected one (up to twice the capacity): the large queue took
    // about 64 times longer.
    let (_, small) = flood(capacity: 64)
    var (queue, large) = flood(capacity: 4096)
    #expect(large < small * 8, "capacity 4,096: \(large), capacity 64: \(small)")
    #expect(queue.count == 4096)
    #expect(queue.contains(subject: "me"))
    #expect(queue.contains(subject: "m99999"))
    #expect(!queue.contains(subject: "m95000"))
    var handedOut = 0
    var sawProtected = false
    for _ in 0..<10_000 where !queue.isEmpty {
      let taken = queue.take(space: 1_400, overheadEach: 2, limit: 1, maximumCount: 255)
      handedOut += taken.count
      if taken.contains(message(0)[...]) { sawProtected = true }
    }
    #expect(handedOut == 4096)
    #expect(sawProtected)
  }

  @Test("messages share one buffer, kept within twice what is queued, and come out intact")
  func sharedBuffer() {
    var queue = BroadcastQueue()
    // 100 subjects, each replaced 50 times by a message of its own bytes.
    for round in 0..<50 {
      for subject in 0..<100 {
        let size = 20 + (subject + round) % 40
        queue.enqueue(
          [UInt8](repeating: UInt8(subject), count: size) + [UInt8(round)], subject: "m\(subject)")
      }
      let queued = 100 * 60
      #expect(queue.storedBytes <= 2 * queued + 4_096)
    }
    #expect(queue.count == 100)
    var seen: [UInt8: [UInt8]] = [:]
    while !queue.isEmpty {
      for message in queue.take(space: 1_400, overheadEach: 2, limit: 1, maximumCount: 255) {
        seen[message[message.startIndex]] = Array(message)
      }
    }
    #expect(seen.count == 100)
    for subject in 0..<100 {
      let size = 20 + (subject + 49) % 40
      #expect(seen[UInt8(subject)] == [UInt8](repeating: UInt8(subject), count: size) + [49])
    }
    // Empty again: the buffer is handed back (a small one may stay).
    #expect(queue.storedBytes <= 1_024)
  }
}
