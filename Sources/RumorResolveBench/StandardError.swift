#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Error lines on file descriptor 2, written with `write(2)` because the C
/// `stderr` global is shared mutable state to Swift 6's checker.
enum StandardError {
  /// Writes `line` and a newline.
  static func emit(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw in
        write(2, raw.baseAddress.map { $0 + offset }, raw.count - offset)
      }
      // Nothing useful is left to do if even stderr fails.
      guard written > 0 else { return }
      offset += written
    }
  }
}
