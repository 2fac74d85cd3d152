// The libFuzzer entry points of the one fuzz binary run.sh builds. The
// environment variable RUMOR_FUZZ_TARGET (run.sh sets it from its first
// argument) picks the target; each target is a function over the input's
// bytes in its own file (FuzzDecode.swift, FuzzReceive.swift, …).
//
// Every input is timed: one that takes longer than RUMOR_FUZZ_MAX_MS
// milliseconds (default 100) of the thread's CPU time traps, so that
// amplification (work out of proportion to the input) shows as a crash
// with the input saved, not as a slow run. CPU time, not wall time: on a
// shared machine a preempted input would otherwise fail for nothing.
// libFuzzer's own -timeout counts whole seconds only.

#if canImport(Glibc)
  import Glibc
#endif

/// One fuzz target: a name for run.sh, its one-time setup and the function
/// that takes one input.
struct FuzzTarget: Sendable {
  /// The name run.sh and RUMOR_FUZZ_TARGET use.
  let name: String
  /// Builds the target's state once, before the first input.
  let setUp: @Sendable () -> Void
  /// Takes one input.
  let run: @Sendable ([UInt8]) -> Void
  /// Example inputs for an empty corpus (run.sh adds files for some).
  var seeds: @Sendable () -> [[UInt8]] = { [] }
}

/// Every target, by name.
let fuzzTargets: [FuzzTarget] = [
  FuzzTarget(name: "decode", setUp: {}, run: fuzzDecode),
  FuzzTarget(
    name: "receive", setUp: { _ = receiveFixture }, run: fuzzReceive,
    seeds: { receiveFixture.seeds + receiveFixture.operationSeeds }),
  FuzzTarget(
    name: "stream", setUp: { _ = receiveFixture }, run: fuzzStream,
    seeds: { receiveFixture.streamSeeds }),
  FuzzTarget(name: "serf", setUp: { _ = serfFixture }, run: fuzzSerf, seeds: { serfFixture.seeds }),
  FuzzTarget(name: "http", setUp: {}, run: fuzzHTTP, seeds: { httpSeeds }),
  FuzzTarget(name: "yaml", setUp: {}, run: fuzzYAML),
  FuzzTarget(name: "json", setUp: {}, run: fuzzJSON, seeds: { jsonSeeds }),
  FuzzTarget(name: "dns", setUp: { _ = dnsFuzzAnswerer }, run: fuzzDNS, seeds: { dnsSeeds }),
]

/// Reads an environment variable.
func environment(_ name: String) -> String? {
  getenv(name).map { String(cString: $0) }
}

/// The target this process runs, chosen once.
let selectedTarget: FuzzTarget = {
  let name = environment("RUMOR_FUZZ_TARGET") ?? ""
  guard let target = fuzzTargets.first(where: { $0.name == name }) else {
    let names = fuzzTargets.map(\.name).joined(separator: " ")
    fatalError("set RUMOR_FUZZ_TARGET to one of: \(names) (got '\(name)')")
  }
  return target
}()

/// The most time one input may take, in nanoseconds.
let inputTimeLimit: Int64 = {
  let milliseconds = environment("RUMOR_FUZZ_MAX_MS").flatMap { Int64($0) } ?? 100
  return milliseconds.multipliedReportingOverflow(by: 1_000_000).partialValue
}()

/// The CPU time this thread has used, in nanoseconds.
func threadCPUNanoseconds() -> Int64 {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
}

/// libFuzzer calls this once before the first input: the target's setup
/// runs here so that it is not charged to the first input's time.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
  selectedTarget.setUp()
  _ = inputTimeLimit
  if let directory = environment("RUMOR_FUZZ_WRITE_SEEDS") {
    writeSeeds(to: directory)
    exit(0)
  }
  return 0
}

/// Writes the selected target's example inputs into `directory`, one file
/// each (run.sh does this when a corpus is empty).
func writeSeeds(to directory: String) {
  for (index, seed) in selectedTarget.seeds().enumerated() {
    guard let file = fopen("\(directory)/seed-\(selectedTarget.name)-\(index)", "wb") else {
      fatalError("cannot write seeds into \(directory)")
    }
    _ = seed.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
  }
}

/// libFuzzer calls this once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  let start = threadCPUNanoseconds()
  selectedTarget.run(input)
  let elapsed = threadCPUNanoseconds() &- start
  if elapsed > inputTimeLimit {
    fatalError(
      "\(selectedTarget.name): one input of \(size) bytes took \(elapsed / 1_000_000) ms of CPU"
        + " (limit \(inputTimeLimit / 1_000_000) ms, RUMOR_FUZZ_MAX_MS)")
  }
  return 0
}
