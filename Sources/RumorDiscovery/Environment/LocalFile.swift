#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Reading small local files (configuration files, procfs and
/// service-account files) with the C library: Foundation's file APIs would
/// load all of Foundation into every agent for a few reads.
public enum LocalFile {
  /// Why a file could not be read.
  public enum Failure: Error, Equatable, Sendable {
    /// Nothing exists at the path.
    case missing
    /// The path names a directory.
    case directory
    /// `open` or `read` failed; the C library's message.
    case unreadable(String)
    /// The file holds more than the limit.
    case tooLarge
  }

  /// The bytes of the file at `path`, at most `limit` of them. Reads to
  /// the end rather than trusting the size: procfs files report size 0.
  public static func bytes(_ path: String, limit: Int = 1 << 20) -> Result<[UInt8], Failure> {
    var status = stat()
    guard stat(path, &status) == 0 else {
      return .failure(errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(message()))
    }
    guard status.st_mode & S_IFMT != S_IFDIR else { return .failure(.directory) }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .failure(.unreadable(message())) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while bytes.count <= limit {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .failure(.unreadable(message()))
      }
      if count == 0 { return .success(bytes) }
      bytes.append(contentsOf: chunk.prefix(count))
    }
    return .failure(.tooLarge)
  }

  /// The file at `path` as text (invalid UTF-8 repaired), or nil when it
  /// cannot be read.
  public static func text(_ path: String, limit: Int = 1 << 20) -> String? {
    guard case .success(let bytes) = bytes(path, limit: limit) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func message() -> String {
    String(cString: strerror(errno))
  }
}

extension String {
  /// The text without leading and trailing spaces, tabs and line breaks.
  public var trimmingWhitespace: String {
    let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\n" || c == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }),
      let last = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[first...last])
  }
}
