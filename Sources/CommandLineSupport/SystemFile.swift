#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Small files of `/proc` and `/sys`, read with the C library (Foundation
/// would add megabytes to the resident memory of an agent or to the peak
/// RSS a benchmark reports).
public enum SystemFile {
  /// The whole file, or nil if it cannot be opened. Procfs files report
  /// size 0, so this reads to the end.
  public static func bytes(at path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      bytes += chunk[0..<count]
    }
    return bytes
  }

  /// The file as text without its trailing newline, or nil if it cannot
  /// be opened.
  public static func firstLine(at path: String) -> String? {
    bytes(at: path).map { bytes in
      String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
  }
}
