import Foundation
import Synchronization
import Testing

@testable import Rumor

#if canImport(Glibc)
  import Glibc
#endif

@Suite("A node's loop when the system fails it, and overlapping calls")
struct NodeLoopFailureTests {
  @Test("a poll that keeps failing stops the node with the error, not silently")
  func pollFailureIsReported() async throws {
    var configuration = NodeConfiguration(name: "failing", bind: anyPort, settings: testSettings())
    configuration.poll = { _, _, _ in
      errno = ENOMEM
      return -1
    }
    let node = try RumorNode.start(configuration)
    // 100 failures 10 ms apart, then the node reports itself stopped.
    #expect(await eventually(within: 10) { node.isStopped })
    let failure = try #require(node.failure)
    #expect(failure.contains("poll failed 100 times in a row"))
    #expect(failure.contains(String(cString: strerror(ENOMEM))))
    // Its event streams ended, so an agent waiting on them wakes up.
    var sawEvent = false
    for await _ in node.events() { sawEvent = true }
    #expect(!sawEvent)
  }

  @Test("a poll that fails now and then is ridden out")
  func transientPollFailures() async throws {
    let failures = Counter()
    var configuration = NodeConfiguration(name: "flaky", bind: anyPort, settings: testSettings())
    configuration.poll = { fds, count, timeout in
      if failures.next() % 3 == 0 {
        errno = EAGAIN
        return -1
      }
      return Glibc.poll(fds, count, timeout)
    }
    let node = try RumorNode.start(configuration)
    try await Task.sleep(for: .milliseconds(500))
    #expect(!node.isStopped && node.failure == nil)
    await node.shutdown()
    #expect(node.failure == nil)
  }

  @Test("two overlapping leaves both return")
  func overlappingLeaves() async throws {
    let first = try RumorNode.start(
      NodeConfiguration(name: "leaver", bind: anyPort, settings: testSettings()))
    let second = try RumorNode.start(
      NodeConfiguration(name: "stayer", bind: anyPort, settings: testSettings()))
    defer { Task { await second.shutdown() } }
    try await first.join(addresses: [second.boundAddress])
    async let one: Void = first.leave(timeout: .seconds(2))
    async let two: Void = first.leave(timeout: .seconds(2))
    _ = await (one, two)
    // And a third, after the leave, returns at once.
    await first.leave(timeout: .seconds(2))
    await first.shutdown()
  }
}

/// A thread-safe counter for the flaky poll.
private final class Counter: Sendable {
  private let value = Mutex(0)
  func next() -> Int {
    value.withLock {
      $0 += 1
      return $0
    }
  }
}
