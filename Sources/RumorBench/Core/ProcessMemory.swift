import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Two readings of how much memory the process holds.
///
/// `VmRSS` counts pages touched, including memory the allocator has freed
/// but kept; glibc's `mallinfo2` counts the bytes handed out and not yet
/// freed, which is what live objects cost. The benchmark reports both.
struct ProcessMemory {
  /// Resident set size in bytes (`VmRSS`), or nil where `/proc` is missing.
  let resident: Int?
  /// Bytes allocated with malloc and not freed, or nil without glibc.
  let heapInUse: Int?

  /// Reads both now, after handing free heap pages back to the kernel
  /// (`malloc_trim`) so that RSS counts live objects, not pages an earlier
  /// measurement freed and the allocator kept.
  static func current() -> ProcessMemory {
    trim()
    return ProcessMemory(resident: ProcessStatus.bytes(of: "VmRSS"), heapInUse: heapBytes())
  }

  /// glibc's `malloc_trim(0)`, looked up at run time because `<malloc.h>`
  /// is not part of Swift's Glibc module; it takes and returns plain
  /// integers, so the C function type below is exact.
  private static func trim() {
    #if canImport(Glibc)
      typealias MallocTrim = @convention(c) (Int) -> Int32
      guard let symbol = dlsym(nil, "malloc_trim") else { return }
      // Sound: the symbol is glibc's malloc_trim, whose C type is exactly
      // MallocTrim; no outside data reaches this call.
      _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)  // safe: exact C type, no outside data
    #endif
  }

  /// glibc's `mallinfo2`, looked up at run time: `<malloc.h>` is not part
  /// of Swift's Glibc module, and the benchmark adds no C target for it.
  ///
  /// It returns a 10-word struct, which the x86-64 System V ABI returns
  /// through a pointer the caller passes as the first argument (and echoes
  /// in the return register). The function is therefore called with that
  /// shape, which is only correct on x86-64; elsewhere there is no figure.
  private static func heapBytes() -> Int? {
    #if canImport(Glibc) && arch(x86_64)
      typealias MallocInfo = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
      guard let symbol = dlsym(nil, "mallinfo2") else { return nil }
      // Sound on x86-64 only (hence the #if): the symbol is glibc's
      // mallinfo2, called with the ABI shape described above; it reads no
      // outside data and writes only the 10 words of `fields`.
      let call = unsafeBitCast(symbol, to: MallocInfo.self)  // safe: x86-64 ABI, no outside data
      // struct mallinfo2: arena, ordblks, smblks, hblks, hblkhd, usmblks,
      // fsmblks, uordblks, fordblks, keepcost, each a size_t.
      var fields = [Int](repeating: 0, count: 10)
      fields.withUnsafeMutableBytes { raw in
        if let base = raw.baseAddress { _ = call(base) }
      }
      // uordblks: in use from the arenas; hblkhd: in use as separate mmaps.
      return fields[7] + fields[4]
    #else
      return nil
    #endif
  }
}
