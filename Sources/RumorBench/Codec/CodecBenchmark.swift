import CommandLineSupport
import RumorWire

/// `rumor-bench codec`: encode and decode throughput of the RumorWire codec.
enum CodecBenchmark {
  /// Runs the benchmark with the arguments after its name; returns the
  /// exit status.
  static func run(_ arguments: [String]) -> Int32 {
    let options: CodecBenchOptions
    switch CodecBenchOptions.read(arguments) {
    case .success(let parsed): options = parsed
    case .failure(let exit): return exit.status
    }

    let cases: [BenchCase]
    do {
      cases = try BenchCase.all()
    } catch {
      StandardError.emit("rumor-bench codec: set-up failed: \(error)")
      return 1
    }

    let sampler = Sampler(runs: options.runs, runSeconds: options.runSeconds)
    var rows: [Row] = []
    var digest: UInt64 = 0
    if !options.json { print(CodecReport.tableHeader(options)) }
    do {
      for benchCase in cases {
        let timings = [
          ("encode", try sampler.measure(benchCase.encode)),
          ("decode", try sampler.measure(benchCase.decode)),
        ]
        for (operation, measurement) in timings {
          let row = Row(
            name: benchCase.name, operation: operation, bytes: benchCase.datagram.count,
            detail: benchCase.detail, measurement: measurement)
          rows.append(row)
          digest = Digest.mix(digest, measurement.digest)
          if !options.json { print(CodecReport.tableLine(row)) }
        }
      }
    } catch {
      StandardError.emit("rumor-bench codec: encoding failed during a run: \(error)")
      return 1
    }

    let memory = PeakMemory.Report.current()
    if options.json {
      print(CodecReport.json(rows, options: options, memory: memory, digest: digest).text)
    } else {
      print(CodecReport.tableFooter(cases, memory: memory, digest: digest))
    }
    return 0
  }
}
