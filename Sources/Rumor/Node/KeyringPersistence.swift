import Synchronization

/// Keeps a node's keyring file (`NodeConfiguration.keyringFile`) in step
/// with its keyring: the core calls `save` (`ClusterNode.keyringSaver`)
/// after each key query that installs, uses or removes a key, as Serf
/// rewrites its file there, and a failure becomes the query's answer.
final class KeyringPersistence: Sendable {
  /// The file.
  let path: String
  private let failure = Mutex<KeyringFileError?>(nil)

  init(path: String) {
    self.path = path
  }

  /// Writes `keys` to the file; returns why that failed (naming the
  /// file, never a key), or nil. Runs on the owner thread: a small file,
  /// written where Serf writes it, in the key query's handling. A failed
  /// write is tried again at the next change only.
  func save(_ keys: [[UInt8]]) -> String? {
    var error: KeyringFileError?
    do {
      try KeyringFile.write(keys, to: path)
    } catch let failed {
      error = failed
    }
    failure.withLock { $0 = error }
    return error?.description
  }

  /// The keys a node starts with when it keeps its keyring in `path`:
  /// the file's, when it exists (they replace `given`: the file has the
  /// rotations made since `given` was written down); else `given`, written
  /// to a new file. Throws, naming the file, when it is unreadable or
  /// invalid, or missing with no key given to create it.
  static func startingKeys(path: String, given: [[UInt8]]) throws(KeyringFileError) -> [[UInt8]] {
    if let stored = try KeyringFile.load(path) { return stored }
    guard !given.isEmpty else {
      throw KeyringFileError(
        path: path,
        problem:
          "does not exist; give a key to create it (rumor agent --encrypt KEY) or write it as a JSON list of base64 keys, primary first"
      )
    }
    try KeyringFile.write(given, to: path)
    return given
  }

  /// Why the last write failed, if it did.
  var error: KeyringFileError? { failure.withLock { $0 } }
}
