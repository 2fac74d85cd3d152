/// Folds what each measured call returned into one number that a benchmark
/// prints at the end, so that the optimizer cannot drop work whose result
/// would otherwise go unused. Cheap on purpose: it runs inside batched
/// loops too and must not weigh on the figures. Each benchmark adds the
/// digests of its own values in its folder.
enum Digest {
  /// Mixes a value into a running digest (an FNV-style multiply).
  @inline(__always)
  static func mix(_ digest: UInt64, _ value: UInt64) -> UInt64 {
    (digest ^ value) &* 0x0000_0100_0000_01b3
  }
}
