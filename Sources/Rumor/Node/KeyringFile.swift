import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Serf's keyring file (`serf agent -keyring-file`): a JSON list of the
/// base64 keys, the primary key first, so that a key rotated with
/// `serf keys` or `rumor keys` survives a restart. Written atomically (a
/// temporary file beside it, then a rename) with mode 0600: it holds
/// secrets. Read with the C library; bounded and strict, so a bad file is
/// an error that names it, never a crash.
public enum KeyringFile {
  /// The most bytes read from a keyring file: a keyring holds a handful
  /// of keys (each 44 base64 characters at most), not kilobytes.
  public static let maximumSize = 64 * 1024

  /// The keys in the file at `path`, primary first; nil when there is no
  /// such file. Throws, naming the file, when it cannot be read or is not
  /// a list of valid keys.
  public static func load(_ path: String) throws(KeyringFileError) -> [[UInt8]]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      if code == ENOENT { return nil }
      throw KeyringFileError(path: path, problem: "cannot be opened: \(errorText(code))")
    }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        throw KeyringFileError(path: path, problem: "cannot be read: \(errorText(code))")
      }
      guard count > 0 else { break }
      bytes += chunk[0..<count]
      guard bytes.count <= maximumSize else {
        throw KeyringFileError(
          path: path, problem: "is over \(maximumSize) bytes; a keyring file holds a few keys")
      }
    }
    return try decode(bytes, path: path)
  }

  /// The keys of a keyring file's bytes: a JSON list of base64 strings,
  /// each a 16-, 24- or 32-byte key, at least one.
  public static func decode(_ bytes: [UInt8], path: String) throws(KeyringFileError) -> [[UInt8]] {
    func fail(_ problem: String) -> KeyringFileError {
      KeyringFileError(path: path, problem: problem)
    }
    let strings: [String]
    do {
      strings = try JSONStringList.parse(bytes)
    } catch {
      throw fail("is not a JSON list of base64 keys (\(error.reason))")
    }
    guard !strings.isEmpty else { throw fail("holds no key") }
    var keys: [[UInt8]] = []
    for (index, text) in strings.enumerated() {
      guard let key = Base64.decode(text) else {
        throw fail("key \(index + 1) is not valid base64")
      }
      guard [16, 24, 32].contains(key.count) else {
        throw fail("key \(index + 1) is \(key.count) bytes; a key is 16, 24 or 32 bytes")
      }
      keys.append(key)
    }
    do {
      _ = try Keyring(keys: keys)
    } catch {
      throw fail("is not a usable keyring (\(error.kind.rawValue))")
    }
    return keys
  }

  /// The file's text for `keys`, as Serf writes it: an indented JSON list.
  public static func encode(_ keys: [[UInt8]]) -> String {
    guard !keys.isEmpty else { return "[]" }
    return "[\n" + keys.map { "  \"\(Base64.encode($0))\"" }.joined(separator: ",\n") + "\n]"
  }

  /// Writes `keys` to `path` atomically with mode 0600: a temporary file
  /// in the same directory, flushed, then renamed over the old one, so a
  /// crash leaves the old keyring or the new one, never half of one.
  public static func write(_ keys: [[UInt8]], to path: String) throws(KeyringFileError) {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw KeyringFileError(
        path: path, problem: "cannot be written (\(temporary): \(errorText(errno)))")
    }
    // An existing temporary file keeps its mode through O_CREAT.
    _ = fchmod(descriptor, 0o600)
    let bytes = Array(encode(keys).utf8)
    var written = 0
    while written < bytes.count {
      // A regular file this function created: no peer, no SIGPIPE.
      let count = bytes[written...].withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        close(descriptor)
        unlink(temporary)
        throw KeyringFileError(path: path, problem: "cannot be written: \(errorText(code))")
      }
      written += count
    }
    let synced = fsync(descriptor) == 0
    let syncError = errno
    close(descriptor)
    guard synced else {
      unlink(temporary)
      throw KeyringFileError(path: path, problem: "cannot be written: \(errorText(syncError))")
    }
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw KeyringFileError(path: path, problem: "cannot be replaced: \(errorText(code))")
    }
  }

  private static func errorText(_ code: Int32) -> String {
    strerror(code).map { String(cString: $0) } ?? "error \(code)"
  }
}

/// A keyring file that could not be read, parsed or written; the message
/// names the file and never a key.
public struct KeyringFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file.
  public var path: String
  /// What is wrong with it.
  public var problem: String

  /// Creates an error about `path`.
  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }

  /// "keyring file PATH PROBLEM".
  public var description: String { "keyring file \(path) \(problem)" }
}
