#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Fields of `/proc/self/status`, for the benchmarks' memory figures.
public enum ProcessStatus {
  /// The value of a `kB` field ("VmRSS", "VmHWM") in bytes, or nil where
  /// `/proc` is missing or the field is absent.
  public static func bytes(of field: String) -> Int? {
    let descriptor = open("/proc/self/status", O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    // Procfs files report size 0: read to the end.
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      text += chunk[0..<count]
    }
    // The line reads "VmRSS:<tab>   13100 kB".
    let key = Array((field + ":").utf8)
    for line in text.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
      guard fields.count >= 2, fields[0].elementsEqual(key) else { continue }
      return Int(String(decoding: fields[1], as: UTF8.self)).map { $0 &* 1024 }
    }
    return nil
  }
}
