import RumorCore
import RumorWire

extension RumorNode {
  /// Why the keyring file (`NodeConfiguration.keyringFile`) could not be
  /// written after the last key change, or nil when it was (or there is
  /// none). The keyring itself changed either way, as in Serf.
  public var keyringFileError: KeyringFileError? { keyringFile?.error }
}

extension RumorNode {
  /// Adds `key` to every member's keyring (`serf keys -install`). The
  /// documented rotation: install the new key, `useKey` it, then
  /// `removeKey` the old one; every member keeps both keys between the
  /// steps, so nobody drops out.
  public func installKey(_ key: [UInt8]) async throws -> KeyringAnswer {
    try await keyQuery(.install, key: key)
  }

  /// Makes `key`, installed everywhere, every member's primary key
  /// (`serf keys -use`).
  public func useKey(_ key: [UInt8]) async throws -> KeyringAnswer {
    try await keyQuery(.use, key: key)
  }

  /// Drops `key` from every member's keyring (`serf keys -remove`); a
  /// member refuses when it is its primary key.
  public func removeKey(_ key: [UInt8]) async throws -> KeyringAnswer {
    try await keyQuery(.remove, key: key)
  }

  /// Every member's keys (`serf keys -list`).
  public func listKeys() async throws -> KeyringAnswer {
    try await keyQuery(.list, key: nil)
  }

  /// Sends Serf's key query `kind` to the cluster (this node answers it
  /// too) and gathers the answers until every member has answered or the
  /// query's deadline (Serf's default) has passed, as Serf's key manager
  /// does. Throws when the query cannot be sent.
  private func keyQuery(_ kind: KeyQuery, key: [UInt8]?) async throws -> KeyringAnswer {
    let payload = key.map { SerfKeyRequest(key: $0).encodedPayload() } ?? []
    var answer = KeyringAnswer(
      memberCount: members.count { $0.state == .alive || $0.state == .suspect })
    let replies = try await query(kind.rawValue, payload: payload)
    for await reply in replies {
      guard case .response(_, let from, let bytes) = reply else { continue }
      answer.take(bytes, from: from)
      // Serf stops waiting once every member has answered.
      if answer.responseCount >= answer.memberCount { break }
    }
    return answer
  }
}
