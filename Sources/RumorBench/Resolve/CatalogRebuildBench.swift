import Rumor

/// The cost of `ServiceCatalog(members:)` over the whole fixture: what the
/// first lookup after a membership change pays, because a node-backed
/// registry rebuilds its catalog then (once per published snapshot) and
/// reuses it for every later lookup.
struct CatalogRebuildBench {
  /// Untimed builds first.
  let warmUpBuilds: Int
  /// Builds timed one by one.
  let timedBuilds: Int

  /// Wall and thread-CPU time of each build.
  struct Result: Sendable {
    /// Monotonic nanoseconds per build.
    let wall: Percentiles<UInt64>
    /// Thread-CPU nanoseconds per build (descheduled time left out).
    let cpu: Percentiles<UInt64>
    /// Instances built, folded.
    let digest: UInt64
  }

  /// Times the builds. A build takes milliseconds, so the thread-CPU
  /// clock's system call per reading is noise here.
  func run(members: [Member]) -> Result {
    var digest: UInt64 = 0
    for _ in 0..<warmUpBuilds {
      digest = Digest.mix(digest, UInt64(ServiceCatalog(members: members).instances.count))
    }
    var wall: [UInt64] = []
    var cpu: [UInt64] = []
    wall.reserveCapacity(timedBuilds)
    cpu.reserveCapacity(timedBuilds)
    for _ in 0..<timedBuilds {
      let cpuStart = Clocks.threadCPU()
      let start = Clocks.monotonic()
      let catalog = ServiceCatalog(members: members)
      let end = Clocks.monotonic()
      cpu.append(Clocks.threadCPU() &- cpuStart)
      wall.append(end &- start)
      digest = Digest.mix(digest, UInt64(catalog.instances.count))
    }
    return Result(wall: Percentiles<UInt64>(wall), cpu: Percentiles<UInt64>(cpu), digest: digest)
  }
}
