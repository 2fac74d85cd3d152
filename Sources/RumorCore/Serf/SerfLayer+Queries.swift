import RumorWire

/// Why a query response could not be sent.
public struct QueryResponseError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What was wrong.
  public var description: String

  /// Creates an error that says what was wrong.
  public init(description: String) {
    self.description = description
  }
}

extension SerfLayer {
  /// The prefix of Serf's own queries (`_serf_ping`, the key queries…),
  /// which are answered inside and never handed to the application.
  public static let internalQueryPrefix = "_serf_"

  /// Sets the tags that queries' tag filters look at (this member's own).
  public mutating func setTags(_ tags: [String: String]) {
    self.tags = tags
  }

  /// Takes a query (Serf's `handleQuery`): a new one is recorded, acked
  /// when asked (straight to its sender, and through `relayFactor` others),
  /// and, unless it is one of Serf's own, handed on to be answered, when
  /// its filters select this member. Returns whether it was new and may be
  /// re-gossiped, which Serf does even when the filters leave it out.
  mutating func handleQuery(_ query: SerfQuery, now: Timestamp, into outcome: inout SerfOutcome)
    -> Bool
  {
    guard queryClock.witness(query.lamportTime) else {
      counters.implausibleTimes += 1
      return false
    }
    guard !queries.isTooOld(query.lamportTime, clock: queryClock.time) else {
      counters.queriesTooOld += 1
      return false
    }
    guard queries.record(query.lamportTime, id: query.id) else {
      counters.queriesRepeated += 1
      return false
    }
    let rebroadcast = query.flags & SerfQuery.noBroadcastFlag == 0
    guard selects(query.filters) else {
      counters.queriesFilteredOut += 1
      return rebroadcast
    }
    guard let address = NodeAddress(ip: query.addr, port: query.port) else {
      counters.malformed += 1
      return rebroadcast
    }
    counters.queriesAnswered += 1
    if query.flags & SerfQuery.ackFlag != 0 {
      let ack = SerfQueryResponse(
        lamportTime: query.lamportTime, id: query.id, from: name, flags: SerfQueryResponse.ackFlag)
      outcome.directMessages.append(
        DirectSerfMessage(
          bytes: SerfMessage.queryResponse(ack).encoded(), address: address,
          relayFactor: query.relayFactor))
    }
    let timeout = max(0, query.timeoutNanoseconds)
    let incoming = IncomingQuery(
      lamportTime: query.lamportTime, id: query.id, name: query.name, payload: query.payload,
      source: query.sourceNode, responseAddress: address, relayFactor: query.relayFactor,
      deadline: Timestamp(nanoseconds: now.nanoseconds.addingSaturating(timeout)))
    // Serf answers its own queries itself: the key queries where the
    // keyring is (`ClusterNode`); `_serf_ping` needs nothing but the ack;
    // name conflicts where both views of members are (`ClusterNode`).
    if KeyQuery(rawValue: query.name) != nil {
      outcome.keyQueries.append(incoming)
    } else if query.name == SerfConflictResponse.queryName {
      outcome.conflictQueries.append(incoming)
    } else if !query.name.hasPrefix(Self.internalQueryPrefix) {
      outcome.queries.append(incoming)
    }
    return rebroadcast
  }

  /// Whether every filter selects this member (Serf's
  /// `shouldProcessQuery`). A filter that does not decode, or a tag
  /// expression outside `TagExpression`'s subset, selects nobody.
  mutating func selects(_ filters: [[UInt8]]) -> Bool {
    for bytes in filters {
      guard let filter = try? SerfQueryFilter(decoding: bytes) else {
        counters.malformed += 1
        return false
      }
      switch filter {
      case .nodes(let names):
        guard names.contains(name) else { return false }
      case .tag(let tag, let expression):
        guard let pattern = TagExpression(expression) else {
          counters.unsupportedTagExpressions += 1
          return false
        }
        // Serf matches against the empty string when the tag is absent.
        guard pattern.matches(tags[tag] ?? "") else { return false }
      }
    }
    return true
  }

  /// A response to `query` (Serf's `Query.Respond`), to send straight to
  /// the asker. Throws when the deadline has passed or the payload is over
  /// `SerfSettings.queryResponseSizeLimit`.
  public func response(to query: IncomingQuery, payload: [UInt8], now: Timestamp)
    throws(QueryResponseError) -> DirectSerfMessage
  {
    guard now < query.deadline else {
      throw QueryResponseError(description: "the query '\(query.name)' has timed out")
    }
    let limit = settings.queryResponseSizeLimit
    guard payload.count <= limit else {
      throw QueryResponseError(
        description:
          "a response to '\(query.name)' is \(payload.count) bytes; the limit is \(limit)")
    }
    let response = SerfQueryResponse(
      lamportTime: query.lamportTime, id: query.id, from: name, payload: payload)
    return DirectSerfMessage(
      bytes: SerfMessage.queryResponse(response).encoded(), address: query.responseAddress,
      relayFactor: query.relayFactor)
  }

  /// Forwards a relayed message to its destination (Serf's relay).
  mutating func forward(_ relay: SerfRelay, into outcome: inout SerfOutcome) {
    guard let port = UInt16(exactly: relay.port),
      let address = NodeAddress(ip: relay.address, port: port),
      !relay.inner.isEmpty
    else {
      counters.malformed += 1
      return
    }
    counters.relaysForwarded += 1
    outcome.directMessages.append(
      DirectSerfMessage(bytes: relay.inner, address: address, relayFactor: 0))
  }
}
