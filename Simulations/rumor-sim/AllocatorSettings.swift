#if os(Linux)
  import CMalloc
#endif

/// How the simulator sets up the C allocator before a run.
enum AllocatorSettings {
  /// Allocations at least this large get pages of their own (glibc's
  /// `M_MMAP_THRESHOLD`, here its default), which go back to the system
  /// when freed.
  static let mmapThreshold: Int32 = 128 * 1024

  /// Fixes glibc's mmap threshold at `mmapThreshold`.
  ///
  /// glibc raises the threshold to the size of every mapped block freed,
  /// so after the first member table outgrew its array, every later one
  /// came from the heap. Thousands of member tables, each growing by a
  /// quarter at a time, then left the heap full of freed arrays too small
  /// for the next growth (docs/simulation.md, "Eighth round"). Set, the
  /// threshold no longer moves: large arrays are mapped, and unmapped
  /// when freed. What a run computes does not change, only where its
  /// memory comes from.
  static func apply() {
    #if os(Linux)
      _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
    #endif
  }
}
