/// Folds what each call returned into one number that the benchmark
/// prints at the end, so that the optimizer cannot drop a lookup whose
/// result would otherwise go unused. Cheap on purpose: it runs inside the
/// batched loops too and must not slow them down.
enum Digest {
  /// Mixes a value into a running digest (an FNV-style multiply).
  @inline(__always)
  static func mix(_ digest: UInt64, _ value: UInt64) -> UInt64 {
    (digest ^ value) &* 0x0000_0100_0000_01b3
  }

  /// What a returned URL contributes: its length and first byte, read
  /// without copying, so that the string is really produced.
  @inline(__always)
  static func of(_ text: String) -> UInt64 {
    UInt64(text.utf8.count) << 8 | UInt64(text.utf8.first ?? 0)
  }
}
