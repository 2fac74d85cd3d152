import CommandLineSupport
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

// rumor-bench: encode and decode throughput of the RumorWire codec.

let options: BenchOptions
do {
  options = try BenchOptions.parse(CommandLine.arguments.dropFirst())
} catch {
  StandardError.emit(error.message)
  exit(2)
}
if options.help {
  print(BenchOptions.usage, terminator: "")
  exit(0)
}

let cases: [BenchCase]
do {
  cases = try BenchCase.all()
} catch {
  StandardError.emit("rumor-bench: set-up failed: \(error)")
  exit(1)
}

let sampler = Sampler(runs: options.runs, runSeconds: options.runSeconds)
var rows: [Row] = []
var digest: UInt64 = 0
if !options.json { print(Report.tableHeader(options)) }
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
      if !options.json { print(Report.tableLine(row)) }
    }
  }
} catch {
  StandardError.emit("rumor-bench: encoding failed during a run: \(error)")
  exit(1)
}

let memory = PeakMemory.Report(
  maximumResident: PeakMemory.residentBytes(), highWaterMark: PeakMemory.highWaterMarkBytes())
if options.json {
  print(Report.json(rows, options: options, memory: memory, digest: digest).text)
} else {
  print(Report.tableFooter(cases, memory: memory, digest: digest))
}
