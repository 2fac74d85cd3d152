import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A child process whose output is collected, always ended by PID
/// (SIGKILL as a last resort, also when the test fails or throws).
final class ChildProcess: @unchecked Sendable {
  // @unchecked: `process` is set up in `init` and afterwards only asked
  // for its state and PID, or signalled; the output has its own lock.
  let process = Process()
  private let output = CollectedOutput()

  /// Starts `executable` with `arguments`, with `environment` added to
  /// this process's variables.
  init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    // Read by a thread of its own, with blocking reads until end of file,
    // not by a `readabilityHandler`: tearing down a pipe whose read end
    // has one races libdispatch's cancellation of its read source, and on
    // Linux that crashed the whole test process in
    // `_dispatch_event_loop_drain` (twice in full runs; the crash
    // swift-corelibs-foundation's pull request 5507 describes). The
    // thread owns the pipe until end of file, so its descriptor is never
    // closed under it; the write end closes when the child (and anything
    // it started) has exited.
    let output = output
    Thread {
      let descriptor = pipe.fileHandleForReading.fileDescriptor
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        output.append(buffer[..<count])
      }
      try? pipe.fileHandleForReading.close()
    }.start()
  }

  /// Everything the process printed so far.
  var log: String { output.text }

  /// Whether the process still runs.
  var isRunning: Bool { process.isRunning }

  /// Waits for the process to exit without holding a thread: the
  /// concurrency pool has as many threads as cores, and a test that
  /// blocks one (as `waitUntilExit()` does) can starve another test's
  /// tasks, such as an embedded node's query responder. After `seconds`
  /// the process is killed. Returns whether it exited on its own.
  @discardableResult
  func exit(within seconds: Double = 60) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline {
      try? await Task.sleep(for: .milliseconds(20))
    }
    let exited = !process.isRunning
    if !exited { stop(signal: SIGKILL) }
    // The pipe's reader may still hold the last bytes.
    try? await Task.sleep(for: .milliseconds(20))
    return exited
  }

  /// Sends `signal` and waits (up to 10 s) for the process to exit.
  func stop(signal: Int32 = SIGINT) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, signal)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  deinit {
    stop(signal: SIGKILL)
  }
}

/// A free TCP and UDP port on loopback, right now.
func freePort() -> UInt16 {
  for _ in 0..<50 {
    let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer {
      close(tcp)
      close(udp)
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, length) }
    }
    guard bound == 0 else { continue }
    var actual = sockaddr_in()
    var actualLength = length
    _ = withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &actualLength) }
    }
    var udpAddress = actual
    let udpBound = withUnsafePointer(to: &udpAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, length) }
    }
    if udpBound == 0 { return UInt16(bigEndian: actual.sin_port) }
  }
  return 0
}

/// A process a test started and must end: a Rumor agent, a Serf agent or a
/// bare child.
protocol StoppableProcess {
  /// Sends `signal` to the process (by PID).
  func stop(signal: Int32)
}

extension ChildProcess: StoppableProcess {}
extension AgentProcess: StoppableProcess {}
extension SerfAgent: StoppableProcess {}

/// Kills every one of `processes` with SIGKILL, by PID: a test's cleanup,
/// also when it failed.
func killAll(_ processes: any StoppableProcess...) {
  for process in processes { process.stop(signal: SIGKILL) }
}

/// What a child process printed, appended by its reading thread and
/// read by the test, under a lock.
private final class CollectedOutput: Sendable {
  private let bytes = Mutex<[UInt8]>([])

  func append(_ chunk: ArraySlice<UInt8>) {
    bytes.withLock { $0.append(contentsOf: chunk) }
  }

  var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
