import RumorCore
import RumorDiscovery
import Testing

@Suite struct BreakerBoardTests {
  let key = HostAndPort(host: "10.0.0.1", port: 6379)
  let start = Timestamp(nanoseconds: 1_000_000_000_000)

  /// A failure makes the board speak; once the breaker is closed again and
  /// the failure has decayed away, it goes quiet, so lookups stop reading
  /// the breakers.
  @Test func aBoardGoesQuietOnceFailuresDecay() {
    let board = BreakerBoard()
    #expect(board.isQuiet)
    board.withHistories(at: start) {
      $0[key, default: InstanceHistory(settings: board.settings)].recordFailure(at: start)
    }
    #expect(!board.isQuiet)
    board.withHistories(at: start) { $0[key]?.recordSuccess() }
    #expect(!board.isQuiet, "one failure a moment ago still counts for least_failures")
    // 5 half-lives later the score is 1/32 < 0.05.
    let later = start + .seconds(300)
    board.withHistories(at: later) { _ in }
    #expect(board.isQuiet)
    #expect(board.history(of: key) == nil)
  }

  /// An open breaker is kept however old its failures are, until it closes.
  @Test func anOpenBreakerIsNeverForgotten() {
    let board = BreakerBoard()
    board.withHistories(at: start) {
      for _ in 0..<5 {
        $0[key, default: InstanceHistory(settings: board.settings)].recordFailure(at: start)
      }
    }
    board.withHistories(at: start + .seconds(3_600)) { _ in }
    #expect(board.history(of: key)?.breaker.consecutiveFailures == 5)
  }
}
