/// Times calls of one operation: each call alone (a latency
/// distribution) or many back to back (throughput).
struct LatencySampler {
  /// Untimed calls first, so that caches, the allocator and branch
  /// predictors are in their steady state when timing starts.
  var warmUpCalls: Int
  /// Calls timed one by one.
  var timedCalls: Int

  /// Runs `call` `warmUpCalls` times untimed, then `timedCalls` times with
  /// a clock reading either side of each. `call` gets a running index and
  /// returns something to fold into the digest.
  ///
  /// The samples go into a buffer allocated beforehand, so the timed loop
  /// itself allocates nothing.
  func run(_ call: (Int) throws -> UInt64) rethrows -> LatencySample {
    var digest: UInt64 = 0
    for index in 0..<warmUpCalls {
      digest = Digest.mix(digest, try call(index))
    }
    var samples = [UInt64](repeating: 0, count: timedCalls)
    try samples.withUnsafeMutableBufferPointer { buffer in
      for slot in buffer.indices {
        let start = Clocks.monotonic()
        let value = try call(warmUpCalls &+ slot)
        let end = Clocks.monotonic()
        buffer[slot] = end &- start
        digest = Digest.mix(digest, value)
      }
    }
    return LatencySample(nanoseconds: Percentiles<UInt64>(samples), digest: digest)
  }

  /// Runs `call` `calls` times between two clock readings: throughput
  /// without the per-call timer, whose cost would otherwise be a large
  /// share of a sub-microsecond call.
  static func batch(calls: Int, startingAt first: Int = 0, _ call: (Int) throws -> UInt64)
    rethrows -> BatchTiming
  {
    var digest: UInt64 = 0
    let cpuStart = Clocks.threadCPU()
    let start = Clocks.monotonic()
    for index in first..<(first &+ calls) {
      digest = Digest.mix(digest, try call(index))
    }
    let end = Clocks.monotonic()
    let cpu = Clocks.threadCPU() &- cpuStart
    return BatchTiming(
      calls: calls, startNanoseconds: start, endNanoseconds: end, cpuNanoseconds: cpu,
      digest: digest)
  }
}

/// The result of timing calls one by one.
struct LatencySample: Sendable {
  /// Nanoseconds per call, timer included.
  let nanoseconds: Percentiles<UInt64>
  /// What the calls returned, folded.
  let digest: UInt64
}

/// The result of timing a batch of calls as a whole.
struct BatchTiming: Sendable {
  /// Calls in the batch.
  let calls: Int
  /// The monotonic reading before the first call.
  let startNanoseconds: UInt64
  /// The monotonic reading after the last call.
  let endNanoseconds: UInt64
  /// CPU time the thread used for the batch: what the calls cost with the
  /// time spent descheduled (other processes on a busy machine) left out.
  let cpuNanoseconds: UInt64
  /// What the calls returned, folded.
  let digest: UInt64

  /// Wall nanoseconds of the whole batch.
  var elapsedNanoseconds: UInt64 { endNanoseconds &- startNanoseconds }

  /// Mean nanoseconds per call.
  var nanosecondsPerCall: Double {
    calls > 0 ? Double(elapsedNanoseconds) / Double(calls) : 0
  }

  /// Mean thread-CPU nanoseconds per call.
  var cpuNanosecondsPerCall: Double {
    calls > 0 ? Double(cpuNanoseconds) / Double(calls) : 0
  }

  /// Calls per second.
  var callsPerSecond: Double {
    elapsedNanoseconds > 0 ? Double(calls) * 1e9 / Double(elapsedNanoseconds) : 0
  }
}
