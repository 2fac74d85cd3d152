import RumorWire

extension SerfLayer {
  /// Makes a query from this node (Serf's `Query`): stamped with the query
  /// clock, which moves on, processed here as a received one would be
  /// (acked and handed on when it selects this node), and returned encoded
  /// for gossip. Its answers come back as `SerfOutcome.queryReplies` until
  /// `now + timeout`. Throws when it is over `querySizeLimit` or too many
  /// queries are waiting.
  public mutating func query(
    name: String, payload: [UInt8], options: QueryOptions, id: UInt32,
    answerTo address: NodeAddress,
    timeout: Duration, now: Timestamp
  ) throws(QueryResponseError) -> (QueryHandle, SerfOutcome) {
    guard pendingQueries.count < settings.pendingQueryLimit else {
      throw QueryResponseError(
        description: "\(pendingQueries.count) queries are already waiting for answers")
    }
    var filters: [[UInt8]] = []
    if !options.nodes.isEmpty { filters.append(SerfQueryFilter.nodes(options.nodes).encoded()) }
    for (tag, expression) in options.tags.sorted(by: { $0.key < $1.key }) {
      filters.append(SerfQueryFilter.tag(name: tag, expression: expression).encoded())
    }
    let message = SerfQuery(
      lamportTime: queryClock.time, id: id, addr: address.ipBytes, port: address.port,
      sourceNode: self.name, filters: filters, flags: options.requestAck ? SerfQuery.ackFlag : 0,
      relayFactor: options.relayFactor, timeoutNanoseconds: timeout.nanosecondsClamped,
      name: name, payload: payload)
    let encoded = SerfMessage.query(message).encoded()
    guard encoded.count <= settings.querySizeLimit else {
      throw QueryResponseError(
        description:
          "query '\(name)' is \(encoded.count) bytes encoded; the limit is \(settings.querySizeLimit)"
      )
    }
    queryClock.increment()
    let handle = QueryHandle(lamportTime: message.lamportTime, id: id)
    pendingQueries[handle] = PendingQuery(
      handle: handle,
      deadline: Timestamp(
        nanoseconds: now.nanoseconds.addingSaturating(
          timeout.nanosecondsClamped)))
    var outcome = SerfOutcome()
    _ = handleQuery(message, now: now, into: &outcome)
    outcome.broadcasts.append(encoded)
    return (handle, outcome)
  }

  /// Takes an ack or response to one of this node's queries (Serf's
  /// `handleQueryResponse`): each member's at most once, until the
  /// deadline; anything else is counted and dropped.
  mutating func handleQueryResponse(_ response: SerfQueryResponse, into outcome: inout SerfOutcome)
  {
    let handle = QueryHandle(lamportTime: response.lamportTime, id: response.id)
    guard var pending = pendingQueries[handle] else {
      counters.queryRepliesIgnored += 1
      return
    }
    let isAck = response.flags & SerfQueryResponse.ackFlag != 0
    let total = pending.acks.count + pending.responses.count
    guard total < PendingQuery.maximumAnswers else {
      counters.queryRepliesIgnored += 1
      return
    }
    if isAck {
      guard pending.acks.insert(response.from).inserted else {
        counters.queryRepliesIgnored += 1
        return
      }
      outcome.queryReplies.append(.ack(handle, from: response.from))
    } else {
      guard pending.responses.insert(response.from).inserted else {
        counters.queryRepliesIgnored += 1
        return
      }
      outcome.queryReplies.append(
        .response(handle, from: response.from, payload: response.payload))
    }
    pendingQueries[handle] = pending
  }

  /// Ends the queries whose deadline has passed.
  public mutating func finishQueries(now: Timestamp) -> [QueryReply] {
    let due = pendingQueries.values.filter { $0.deadline <= now }.map(\.handle)
    for handle in due { pendingQueries[handle] = nil }
    return due.sorted { ($0.lamportTime, $0.id) < ($1.lamportTime, $1.id) }.map(QueryReply.finished)
  }
}
