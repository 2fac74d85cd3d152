/// What the resolve benchmark's lookups contribute to the digest.
extension Digest {
  /// What a returned URL contributes: its length and first byte, read
  /// without copying, so that the string is really produced.
  @inline(__always)
  static func of(_ text: String) -> UInt64 {
    UInt64(text.utf8.count) << 8 | UInt64(text.utf8.first ?? 0)
  }
}
