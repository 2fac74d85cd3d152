import RumorWire

/// The timings of one operation: nanoseconds per call in each timed run.
struct Measurement {
  /// Calls per timed run.
  let iterations: Int
  /// Nanoseconds per call, one entry per run (an odd number of runs, so
  /// the median is one of them).
  let samples: Percentiles<Double>
  /// The digest of every output, for `Digest`'s purpose.
  let digest: UInt64

  /// The reported figure; the median resists the odd descheduled run.
  var median: Double { samples.median }
  /// The fastest run.
  var minimum: Double { samples.minimum }
  /// The slowest run.
  var maximum: Double { samples.maximum }

  /// Calls per second at the median.
  var operationsPerSecond: Double { median > 0 ? 1e9 / median : 0 }
}

/// Times an operation: calibrates a call count that fills `runSeconds`,
/// does one untimed warm-up run, then `runs` timed runs.
struct Sampler {
  /// Timed runs per measurement.
  let runs: Int
  /// Target length of one run.
  let runSeconds: Double

  /// Calibration stops doubling once a batch takes this long; long enough
  /// that clock resolution and the two clock reads do not matter.
  private var calibrationNanoseconds: UInt64 {
    UInt64(max(1e6, runSeconds * 1e9 / 20))
  }

  /// Measures `operation`, which returns a digest of what it produced.
  func measure(_ operation: () throws(WireError) -> UInt64) throws(WireError) -> Measurement {
    var digest: UInt64 = 0
    var batch = 1
    var elapsed: UInt64 = 0
    while true {
      elapsed = try time(batch, operation, into: &digest)
      if elapsed >= calibrationNanoseconds || batch >= 1 << 30 { break }
      batch *= 2
    }
    let perCall = Double(elapsed) / Double(batch)
    let iterations = max(1, Int(runSeconds * 1e9 / max(perCall, 1)))
    _ = try time(iterations, operation, into: &digest)
    var samples: [Double] = []
    for _ in 0..<runs {
      let nanoseconds = try time(iterations, operation, into: &digest)
      samples.append(Double(nanoseconds) / Double(iterations))
    }
    return Measurement(iterations: iterations, samples: Percentiles(samples), digest: digest)
  }

  private func time(
    _ count: Int, _ operation: () throws(WireError) -> UInt64, into digest: inout UInt64
  ) throws(WireError) -> UInt64 {
    let start = Clocks.monotonic()
    for _ in 0..<count {
      digest = Digest.mix(digest, try operation())
    }
    return Clocks.monotonic() - start
  }
}
