import RumorWire

extension ClusterNode {
  /// Carries out one of Serf's key queries on this node's keyring and
  /// answers it (Serf's `handleInstallKey` and the others): install, use,
  /// remove or list. Keys never appear in errors or logs.
  mutating func handleKeyQuery(_ query: IncomingQuery, now: Timestamp) -> [Effect] {
    let response = keyResponse(to: query)
    var payload = response.encodedPayload()
    // A long key list is cut to the response limit, as Serf does.
    var shortened = response
    let limit = serfLayer?.settings.queryResponseSizeLimit ?? 1024
    while payload.count > limit, !shortened.keys.isEmpty {
      shortened.keys.removeLast()
      shortened.message = "the key list was cut to fit the response size limit"
      payload = shortened.encodedPayload()
    }
    return (try? respond(to: query, payload: payload, now: now)) ?? []
  }

  private mutating func keyResponse(to query: IncomingQuery) -> SerfKeyResponse {
    guard let kind = KeyQuery(rawValue: query.name) else {
      return SerfKeyResponse(message: "unknown key query")
    }
    guard var keyring = swim.keyring else {
      return SerfKeyResponse(message: "No keyring to modify (encryption not enabled)")
    }
    if kind == .list {
      return SerfKeyResponse(
        result: true, keys: keyring.keys.map(Base64.encode),
        primaryKey: Base64.encode(keyring.primaryKey))
    }
    let request: SerfKeyRequest
    do {
      request = try SerfKeyRequest(decoding: query.payload)
    } catch {
      return SerfKeyResponse(message: "Failed to decode key request: \(error.kind.rawValue)")
    }
    do {
      switch kind {
      case .install: try keyring.install(request.key)
      case .use: try keyring.use(request.key)
      case .remove: try keyring.remove(request.key)
      case .list: break
      }
    } catch {
      // The keyring's messages name no key.
      return SerfKeyResponse(message: error.reason)
    }
    swim.setKeyring(keyring)
    serfLayer?.counters.keyChanges += 1
    if let failure = keyringSaver?(keyring.keys) {
      // Serf's answer when its keyring file cannot be written: the keyring
      // has changed all the same.
      return SerfKeyResponse(message: failure)
    }
    return SerfKeyResponse(result: true)
  }
}
