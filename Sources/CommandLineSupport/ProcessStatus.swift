/// Fields of `/proc/self/status`, for the benchmarks' memory figures.
public enum ProcessStatus {
  /// The value of a `kB` field ("VmRSS", "VmHWM") in bytes, or nil where
  /// `/proc` is missing or the field is absent.
  public static func bytes(of field: String) -> Int? {
    guard let text = SystemFile.bytes(at: "/proc/self/status") else { return nil }
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
