import CommandLineSupport
import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

// Not an async top level: Swift runs one by handing the main thread to
// dispatch_main(), which ends it with pthread_exit(), and in a static
// executable that first unwind makes libgcc sort every frame description
// of the binary, 20-30 ms of CPU per process start (measured with perf).
// Sixty agents started at once on two CPUs spend a second on that. The
// main thread waits instead; nothing here needs it (the command runs
// detached, as top-level code is on the main actor; signals are handled
// on a global queue, and no code is bound to the main actor).
let status = Atomic<Int32>(0)
let finished = DispatchSemaphore(value: 0)
Task.detached {
  let code = await RumorCommandLine.run(
    Array(CommandLine.arguments.dropFirst()),
    console: Console(
      // Written straight through (no stdio buffer), so that an agent's log
      // reaches whoever reads the pipe (a supervisor, a test) as it happens.
      out: { writeAll($0 + "\n", to: 1) },
      err: { writeAll($0 + "\n", to: 2) }))
  status.store(code, ordering: .relaxed)
  finished.signal()
}
finished.wait()
exit(status.load(ordering: .relaxed))
