import RumorWire

/// TCP exchanges: push-pull anti-entropy and joins, the fallback ping, and
/// answering streams others open.
extension SWIMNode {
  /// Opens a stream (as an effect) and remembers what its reply is for.
  @discardableResult
  mutating func openStream(
    to target: NodeAddress, request: [UInt8], timeout: Duration, purpose: StreamPurpose
  ) -> UInt64 {
    let id = nextStreamID
    nextStreamID += 1
    streams[id] = purpose
    counters.streamsOpened += 1
    effects.append(.openStream(id: id, to: target, request: request, timeout: timeout))
    return id
  }

  /// This node's whole view, as push-pull sends it.
  func localState(join: Bool) -> PushPull {
    let states = table.records.map { record in
      PushNodeState(
        name: record.name, addr: record.address.ipBytes, port: record.address.port,
        meta: record.meta, incarnation: record.incarnation,
        state: Self.wireState(record.state), vsn: record.versions.bytes)
    }
    return PushPull(join: join, states: states, userState: localUserState)
  }

  static func wireState(_ state: MemberState) -> WireMemberState {
    switch state {
    case .alive: .alive
    case .suspect: .suspect
    case .dead: .dead
    case .left: .left
    }
  }

  mutating func openPushPull(to target: NodeAddress, join: Bool, now: Int64) {
    guard
      let request = try? streamCodec.encode(
        .pushPull(localState(join: join)), includeLabel: true, using: &random)
    else { return }
    openStream(
      to: target, request: request, timeout: settings.tcpTimeout,
      purpose: .pushPull(join: join, target: target))
  }

  /// Anti-entropy: a full exchange with one random alive member.
  mutating func pushPullWithRandomMember(now: Int64) {
    let me = name
    guard
      let position = table.randomPositions(
        1, using: &random,
        eligible: {
          $0.name != me && $0.state == .alive
        }
      ).first
    else { return }
    openPushPull(to: table[position].address, join: false, now: now)
  }

  /// The reply to a stream this node opened.
  public mutating func streamReplied(id: UInt64, bytes: [UInt8], now: Timestamp) -> [Effect] {
    guard let purpose = streams.removeValue(forKey: id) else { return [] }
    let clock = now.nanoseconds
    let reply: Message
    do {
      reply = try streamCodec.decode(bytes[...], allowLabel: false).message
    } catch {
      counters.decodeErrors += 1
      finishStream(purpose, error: "could not decode the reply: \(error)", now: clock)
      return drainEffects()
    }
    switch (purpose, reply) {
    case (.pushPull(let join, let target), .pushPull(let remote)):
      // Members we learn from a peer's reply are known around the cluster
      // already: taking them in without re-gossiping each keeps a join
      // storm from filling every queue with thousands of alive messages.
      merge(remote, now: clock, gossipNewMembers: false)
      if join {
        effects.append(.joinFinished(address: target, error: nil))
        if settings.joinFollowUpSyncs > 0 && !hadJoined {
          hadJoined = true
          let wait: Int64 = 2_000_000_000
          timers.schedule(
            at: clock.addingSaturating(wait), .followUpSync(settings.joinFollowUpSyncs, wait: wait))
        }
      }
    case (.fallbackPing(let sequence), .ack(let ack)) where ack.seqNo == sequence:
      if var current = probe, current.sequence == sequence {
        current.fallbackReached = true
        probe = current
      }
    case (_, .error(let remote)):
      finishStream(purpose, error: "the peer answered with an error: \(remote.error)", now: clock)
    default:
      finishStream(purpose, error: "unexpected \(reply.type.name) reply", now: clock)
    }
    return drainEffects()
  }

  /// A stream this node opened failed (refused, timed out, cut).
  public mutating func streamFailed(id: UInt64, reason: String, now: Timestamp) -> [Effect] {
    guard let purpose = streams.removeValue(forKey: id) else { return [] }
    finishStream(purpose, error: reason, now: now.nanoseconds)
    return drainEffects()
  }

  private mutating func finishStream(_ purpose: StreamPurpose, error: String, now: Int64) {
    if case .pushPull(true, let target) = purpose {
      effects.append(.joinFinished(address: target, error: error))
    }
  }

  /// What to do with a stream another member opened.
  public enum StreamAnswer: Sendable, Hashable {
    /// The request is not complete yet: read more and call again with
    /// everything read so far.
    case needMoreBytes
    /// Write these bytes, then close.
    case reply([UInt8])
    /// Close without answering.
    case close
  }

  /// Handles the bytes a peer sent on a stream it opened to us.
  public mutating func handleStream(_ bytes: [UInt8], from sender: NodeAddress, now: Timestamp)
    -> (answer: StreamAnswer, effects: [Effect])
  {
    let clock = now.nanoseconds
    let request: Message
    do {
      request = try streamCodec.decode(bytes[...], allowLabel: true).message
    } catch  where error.kind == .truncated && error.layers.isEmpty {
      return (.needMoreBytes, [])
    } catch {
      counters.decodeErrors += 1
      // Label and key mismatches get no answer, as in memberlist.
      if error.kind == .label || error.kind == .authentication { return (.close, []) }
      return (answer(.error(ErrorResponse(error: error.description))), [])
    }
    counters.streamsAnswered += 1
    switch request {
    case .ping(let ping):
      guard ping.node.isEmpty || ping.node == name else { return (.close, []) }
      return (answer(.ack(Ack(seqNo: ping.seqNo))), [])
    case .pushPull(let remote):
      // Answer with our state as it was before merging theirs.
      let reply = answer(.pushPull(localState(join: remote.join)))
      // A joiner's news is new to the cluster: gossip it. Anti-entropy only
      // gossips changes to members we knew.
      merge(remote, now: clock, gossipNewMembers: remote.join)
      return (reply, drainEffects())
    case .user(let user):
      effects.append(.deliver(.message(user.payload)))
      return (.close, drainEffects())
    default:
      return (answer(.error(ErrorResponse(error: "unexpected \(request.type.name) message"))), [])
    }
  }

  private mutating func answer(_ message: Message) -> StreamAnswer {
    guard let bytes = try? streamCodec.encode(message, includeLabel: false, using: &random) else {
      return .close
    }
    return .reply(bytes)
  }

  /// Applies a peer's full state: alive news as alive, left as left, and
  /// dead or suspect only as a suspicion of our own (a push-pull never
  /// declares anyone dead directly).
  mutating func merge(_ remote: PushPull, now: Int64, gossipNewMembers: Bool) {
    for state in remote.states {
      switch state.state {
      case .alive:
        applyAlive(
          Alive(
            incarnation: state.incarnation, node: state.name, addr: state.addr, port: state.port,
            meta: state.meta, vsn: state.vsn), now: now, gossipIfNew: gossipNewMembers)
      case .left:
        applyDead(
          Dead(incarnation: state.incarnation, node: state.name, from: state.name), now: now)
      case .dead, .suspect:
        applySuspect(
          Suspect(incarnation: state.incarnation, node: state.name, from: name), now: now)
      case nil:
        continue
      }
    }
    if !remote.userState.isEmpty {
      effects.append(.deliver(.remoteState(remote.userState, join: remote.join)))
    }
  }
}
