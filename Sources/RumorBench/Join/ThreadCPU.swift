import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The CPU time of another thread of this process, found by its name.
///
/// `getrusage(RUSAGE_THREAD)` and `CLOCK_THREAD_CPUTIME_ID` only read the
/// calling thread, so the node's thread is found in `/proc/self/task` by
/// its `comm`, and read two ways: its per-thread CPU clock (Linux encodes
/// a thread id into a `clockid_t`, nanosecond resolution), and `utime` +
/// `stime` from its `stat` file (clock ticks, usually 10 ms).
struct ThreadCPU {
  /// The thread's id.
  let threadID: Int32

  /// The thread of this process named `name` (cut to the 15 bytes Linux
  /// keeps), or nil if there is none.
  init?(named name: String) {
    let wanted = String(decoding: name.utf8.prefix(15), as: UTF8.self)
    guard let directory = opendir("/proc/self/task") else { return nil }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
      let text = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard let id = Int32(text) else { continue }
      if SystemFile.firstLine(at: "/proc/self/task/\(id)/comm") == wanted {
        threadID = id
        return
      }
    }
    return nil
  }

  /// CPU nanoseconds (user and system) from the thread's CPU clock, or nil
  /// once the thread is gone.
  func nanoseconds() -> UInt64? {
    // The kernel's MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED): the inverted
    // id shifted left by 3, the per-thread bit (4) and the scheduler clock (2).
    let clock = clockid_t((~threadID) &<< 3 | 6)
    var time = timespec()
    guard clock_gettime(clock, &time) == 0 else { return nil }
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
  }

  /// `utime` + `stime` from `/proc/self/task/<id>/stat` in nanoseconds
  /// (tick resolution), or nil once the thread is gone.
  func statNanoseconds() -> UInt64? {
    guard let bytes = SystemFile.bytes(at: "/proc/self/task/\(threadID)/stat"),
      let end = bytes.lastIndex(of: UInt8(ascii: ")"))
    else { return nil }
    // After "pid (comm)" come the fields from the third (state) on; utime
    // and stime are the 14th and 15th.
    let fields = bytes[(end + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 12,
      let user = UInt64(String(decoding: fields[11], as: UTF8.self)),
      let system = UInt64(String(decoding: fields[12], as: UTF8.self))
    else { return nil }
    let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    return (user + system) * (1_000_000_000 / ticksPerSecond)
  }
}
