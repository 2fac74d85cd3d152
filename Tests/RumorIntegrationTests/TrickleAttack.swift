import Foundation
import Rumor
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Keeps up to `connections` attack connections open to a target for a
/// while, each sending its opening quickly and then one byte every
/// `trickle` interval, and opens a new one whenever the target closes one
/// (at most `maximumOpened` in all). Runs on a thread of its own.
final class TrickleAttack: Sendable {
  private let done = Atomic<Bool>(false)
  private let stopRequested = Atomic<Bool>(false)
  private let opened = Atomic<Int>(0)
  private let closedByTarget = Atomic<Int>(0)

  /// Connections opened so far, and how many the target closed.
  var counts: (opened: Int, closedByTarget: Int) {
    (opened.load(ordering: .relaxed), closedByTarget.load(ordering: .relaxed))
  }

  /// Starts attacking `target` from `sources` in turn; `opening(i)` is
  /// what connection number i sends (all of it as fast as the target
  /// takes it, then `trickleBytes` one at a time).
  init(
    target: NodeAddress, sources: [String], connections: Int, maximumOpened: Int,
    duration: Double, trickle: Double = 0.1,
    opening: @escaping @Sendable (Int) -> (fast: ArraySlice<UInt8>, slow: ArraySlice<UInt8>)
  ) {
    let thread = Thread { [self] in
      var open: [(socket: AttackSocket, fast: ArraySlice<UInt8>, slow: ArraySlice<UInt8>)] = []
      let end = Date().addingTimeInterval(duration)
      var nextTrickle = Date()
      var number = 0
      while Date() < end && !stopRequested.load(ordering: .relaxed) {
        while open.count < connections && number < maximumOpened {
          let source = sources[number % sources.count]
          let (fast, slow) = opening(number)
          number += 1
          opened.add(1, ordering: .relaxed)
          guard let socket = AttackSocket(to: target, from: source, blocking: false) else { break }
          open.append((socket, fast, slow))
        }
        let trickleNow = Date() >= nextTrickle
        if trickleNow { nextTrickle = Date().addingTimeInterval(trickle) }
        var index = 0
        while index < open.count {
          var entry = open[index]
          var gone = false
          if !entry.fast.isEmpty {
            let sent = entry.socket.sendSome(entry.fast)
            if sent < 0 { gone = true } else { entry.fast = entry.fast.dropFirst(sent) }
          } else if trickleNow, !entry.slow.isEmpty {
            let sent = entry.socket.sendSome(entry.slow.prefix(1))
            if sent < 0 { gone = true } else { entry.slow = entry.slow.dropFirst(sent) }
          }
          if gone || (trickleNow && entry.socket.peerClosed) {
            entry.socket.close()
            closedByTarget.add(1, ordering: .relaxed)
            open.remove(at: index)
            continue
          }
          open[index] = entry
          index += 1
        }
        usleep(5_000)
      }
      for entry in open { entry.socket.reset() }
      done.store(true, ordering: .releasing)
    }
    thread.start()
  }

  /// Stops the attack and waits (up to 5 s) until every socket is closed.
  func stop() {
    stopRequested.store(true, ordering: .relaxed)
    let deadline = Date().addingTimeInterval(5)
    while !done.load(ordering: .acquiring) && Date() < deadline { usleep(10_000) }
  }

  /// Whether the attack is over.
  var isDone: Bool { done.load(ordering: .acquiring) }
}
