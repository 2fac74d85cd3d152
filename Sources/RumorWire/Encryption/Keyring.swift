/// The AES-GCM keys of an encrypted cluster, as memberlist keeps them: the
/// first key (the primary) encrypts, every key is tried in order to decrypt,
/// so a cluster can rotate keys without downtime.
///
/// An encrypted blob is `version | nonce (12) | ciphertext | tag (16)`.
/// Version 1 encrypts the plaintext as is (29 bytes of overhead); version 0,
/// for protocol-1 peers, pads it PKCS#7-style to 16 bytes first (up to 45).
public struct Keyring: Hashable, Sendable {
  /// The keys, primary first.
  public private(set) var keys: [[UInt8]]

  /// Creates a keyring; every key must be 16, 24 or 32 bytes and there
  /// must be at least one.
  public init(keys: [[UInt8]]) throws(WireError) {
    guard !keys.isEmpty else {
      throw WireError(.encoding, "a keyring needs at least one key", at: 0)
    }
    for (index, key) in keys.enumerated() {
      try Self.validate(key, index: index)
    }
    self.keys = keys
  }

  /// The key that encrypts.
  public var primaryKey: [UInt8] { keys[0] }

  /// Adds a key for decryption (no effect if it is already present).
  public mutating func install(_ key: [UInt8]) throws(WireError) {
    try Self.validate(key, index: keys.count)
    if !keys.contains(key) { keys.append(key) }
  }

  /// Makes an installed key the primary.
  public mutating func use(_ key: [UInt8]) throws(WireError) {
    guard let index = keys.firstIndex(of: key) else {
      throw WireError(.encoding, "the key to use is not installed", at: 0)
    }
    keys.swapAt(0, index)
  }

  /// Removes a key that is not the primary.
  public mutating func remove(_ key: [UInt8]) throws(WireError) {
    guard key != primaryKey else {
      throw WireError(.encoding, "the primary key cannot be removed", at: 0)
    }
    keys.removeAll { $0 == key }
  }

  private static func validate(_ key: [UInt8], index: Int) throws(WireError) {
    guard [16, 24, 32].contains(key.count) else {
      throw WireError(
        .encoding,
        "key \(index + 1) is \(key.count) bytes; AES-GCM keys are 16, 24 or 32 bytes",
        at: 0)
    }
  }

  /// Bytes encryption adds: 29 for version 1, at most 45 for version 0.
  public static func overhead(version: UInt8 = 1) -> Int {
    version == 0
      ? 1 + AESGCM.nonceSize + 16 + AESGCM.tagSize : 1 + AESGCM.nonceSize + AESGCM.tagSize
  }

  /// Encrypts with the primary key and the given nonce (12 bytes).
  public func seal(
    _ plaintext: [UInt8], additionalData: [UInt8] = [], version: UInt8 = 1, nonce: [UInt8]
  ) throws(WireError) -> [UInt8] {
    guard version <= 1 else {
      throw WireError(.encoding, "encryption version \(version) is unknown", at: 0)
    }
    var input = plaintext
    if version == 0 {
      let padding = 16 - input.count % 16
      input.append(contentsOf: repeatElement(UInt8(padding), count: padding))
    }
    guard
      let sealed = AESGCM.seal(
        key: primaryKey, nonce: nonce, plaintext: input[...], additionalData: additionalData)
    else {
      throw WireError(.encoding, "libcrypto refused to encrypt", at: 0)
    }
    return [version] + nonce + sealed
  }

  /// Encrypts with the primary key and a fresh nonce from `nonceSource`
  /// (the operating system's secure generator unless a simulation injects
  /// a seeded one).
  public func seal(
    _ plaintext: [UInt8], additionalData: [UInt8] = [], version: UInt8 = 1,
    nonceSource: NonceSource = .system
  ) throws(WireError) -> [UInt8] {
    try seal(
      plaintext, additionalData: additionalData, version: version, nonce: nonceSource.next())
  }

  /// What `open` found: the plaintext, which key opened it and the version.
  public struct Opened: Hashable, Sendable {
    /// The decrypted bytes (padding removed for version 0).
    public var plaintext: [UInt8]
    /// The index in `keys` of the key that authenticated.
    public var keyIndex: Int
    /// The blob's encryption version (0 or 1).
    public var version: UInt8
  }

  /// Decrypts a blob with each key in turn.
  public func open(_ blob: ArraySlice<UInt8>, additionalData: [UInt8] = []) throws(WireError)
    -> Opened
  {
    let start = blob.startIndex
    guard let version = blob.first else {
      throw WireError(.truncated, "encrypted payload is empty", at: start)
    }
    guard version <= 1 else {
      throw WireError(.unsupported, "encryption version \(version) is unknown", at: start)
    }
    let minimum = Self.overhead(version: version)
    guard blob.count >= minimum else {
      throw WireError(
        .truncated,
        "encrypted payload is \(blob.count) bytes; version \(version) needs at least \(minimum)",
        at: start)
    }
    let nonce = blob[(start + 1)..<(start + 1 + AESGCM.nonceSize)]
    let sealed = blob[(start + 1 + AESGCM.nonceSize)...]
    for (index, key) in keys.enumerated() {
      guard
        var plaintext = AESGCM.open(
          key: key, nonce: nonce, sealed: sealed, additionalData: additionalData)
      else { continue }
      if version == 0 {
        guard let padding = plaintext.last, (1...16).contains(padding),
          Int(padding) <= plaintext.count
        else {
          throw WireError(.malformed, "version 0 payload has invalid padding", at: start)
        }
        plaintext.removeLast(Int(padding))
      }
      return Opened(plaintext: plaintext, keyIndex: index, version: version)
    }
    throw WireError(
      .authentication,
      keys.count == 1
        ? "the key does not decrypt this payload (wrong key, label or corrupted data)"
        : "none of the \(keys.count) keys decrypts this payload (wrong key, label or corrupted data)",
      at: start)
  }
}
