import Synchronization

/// Keeps a node's keyring file (`NodeConfiguration.keyringFile`) in step
/// with its keyring: the owner thread reports how many key changes the
/// core has made (`SerfCounters.keyChanges`, counted by the key queries
/// that install, use or remove a key), and the file is rewritten when
/// that count moves, as Serf rewrites it after each key query.
final class KeyringPersistence: Sendable {
  private struct State {
    var writtenChanges = 0
    var error: KeyringFileError?
  }

  /// The file.
  let path: String
  private let state = Mutex(State())

  init(path: String) {
    self.path = path
  }

  /// Writes the keyring if `changes` moved since the last attempt. Runs
  /// on the owner thread: a small file, written where Serf writes it, in
  /// the key query's handling.
  func update(changes: Int, keys: () -> [[UInt8]]?) {
    let due = state.withLock { $0.writtenChanges != changes }
    guard due, let keys = keys() else { return }
    var failure: KeyringFileError?
    do {
      try KeyringFile.write(keys, to: path)
    } catch {
      failure = error
    }
    state.withLock { state in
      state.error = failure
      // A failed write is tried again at the next change only: retrying
      // on every loop turn would spin on a full disk.
      state.writtenChanges = changes
    }
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
  var error: KeyringFileError? { state.withLock { $0.error } }
}
