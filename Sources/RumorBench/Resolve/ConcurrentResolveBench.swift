import Dispatch
import Rumor

/// `url(for:)` from several threads at once on one shared registry.
///
/// Each thread resolves in its own lane of the registry (its own lock,
/// round-robin cursors and generator), so the rate should grow with the
/// threads up to the cores; this shows whether it does.
struct ConcurrentResolveBench {
  /// Worker threads.
  let threads: Int
  /// Untimed calls per thread before the timed ones.
  let warmUpCalls: Int
  /// Calls timed one by one, per thread.
  let timedCallsPerThread: Int
  /// Calls per thread in the batched phase.
  let batchCallsPerThread: Int

  /// What one worker measured.
  struct Worker: Sendable {
    /// Per-call latency, timed alone while the others run.
    let latency: LatencySample
    /// The batched phase.
    let batch: BatchTiming
  }

  /// What all the workers measured.
  struct Result: Sendable {
    /// One entry per thread.
    let workers: [Worker]

    /// Calls per second of all threads together in the batched phase:
    /// every batch call over the span from the first start to the last
    /// end.
    var aggregateCallsPerSecond: Double {
      guard let start = workers.map(\.batch.startNanoseconds).min(),
        let end = workers.map(\.batch.endNanoseconds).max(), end > start
      else { return 0 }
      let calls = workers.reduce(0) { $0 + $1.batch.calls }
      return Double(calls) * 1e9 / Double(end - start)
    }

    /// Every thread's samples together.
    var pooled: Percentiles<UInt64> {
      Percentiles<UInt64>(workers.flatMap(\.latency.nanoseconds.sorted))
    }

    /// All digests folded.
    var digest: UInt64 {
      workers.reduce(0) { Digest.mix(Digest.mix($0, $1.latency.digest), $1.batch.digest) }
    }
  }

  /// Runs the workers on dedicated threads (not Dispatch's pool, which
  /// caps concurrency at the core count and would quietly run fewer at
  /// once than asked) and waits for them.
  func run(registry: ServiceRegistry, names: [String]) throws -> Result {
    let slots = ResultSlots<Swift.Result<Worker, BenchError>>(count: threads)
    let sampleStart = StartBarrier(parties: threads)
    let batchStart = StartBarrier(parties: threads)
    let finished = DispatchSemaphore(value: 0)
    let sampler = LatencySampler(warmUpCalls: warmUpCalls, timedCalls: timedCallsPerThread)
    let batchCalls = batchCallsPerThread
    for index in 0..<threads {
      // Each thread starts at a different name so that they do not all
      // ask for the same service at the same moment.
      let offset = index * 17
      try OwnerThread.start(name: "resolve-\(index)") {
        defer { finished.signal() }
        // Both barriers are reached whatever happens, so that one failing
        // thread cannot leave the others waiting for it forever.
        sampleStart.arriveAndWait()
        let latency = Self.attempt(thread: index) {
          try sampler.run { call in try ResolveBench.resolve(registry, names, offset &+ call) }
        }
        batchStart.arriveAndWait()
        let outcome = latency.flatMap { latency in
          Self.attempt(thread: index) {
            let batch = try LatencySampler.batch(calls: batchCalls, startingAt: offset) { call in
              try ResolveBench.resolve(registry, names, call)
            }
            return Worker(latency: latency, batch: batch)
          }
        }
        slots.store(outcome, at: index)
      }
    }
    for _ in 0..<threads { finished.wait() }
    var workers: [Worker] = []
    for slot in slots.all {
      switch slot {
      case .success(let worker)?: workers.append(worker)
      case .failure(let error)?: throw error
      case nil: throw BenchError("a resolving thread finished without a result")
      }
    }
    return Result(workers: workers)
  }

  /// `body`'s value, or its error as a `BenchError` naming the thread.
  private static func attempt<Value>(thread: Int, _ body: () throws -> Value)
    -> Swift.Result<
      Value, BenchError
    >
  {
    do {
      return .success(try body())
    } catch {
      return .failure(BenchError("thread \(thread): \(error)"))
    }
  }
}
