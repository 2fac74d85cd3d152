import RumorWire

/// TCP exchanges: push-pull anti-entropy and joins, the fallback ping, and
/// answering streams others open.
extension SWIMNode {
  /// Opens a stream (as an effect) and remembers what its reply is for.
  @discardableResult
  mutating func openStream(
    to target: NodeAddress, request: [UInt8], timeout: Duration,
    connectTimeout: Duration? = nil, purpose: StreamPurpose
  ) -> UInt64 {
    let id = nextStreamID
    nextStreamID += 1
    streams[id] = purpose
    counters.streamsOpened += 1
    effects.append(
      .openStream(
        id: id, to: target, request: request, timeout: timeout, connectTimeout: connectTimeout))
    return id
  }

  /// This node's whole view as an encoded push-pull message, written
  /// straight from the member table (no per-member values are built).
  mutating func localStateMessage(join: Bool) -> [UInt8] {
    localStateEncodings += 1
    let userState: [UInt8]
    if let makeUserState = userStateSource {
      userState = makeUserState(table)
      userStateEncodings += 1
    } else {
      userState = localUserState
    }
    var writer = PushPullWriter(
      join: join, stateCount: table.count, userStateCount: userState.count,
      intStyle: streamCodec.options.intStyle)
    for record in table.records {
      writer.appendState(
        name: record.name, address: record.address, meta: table.meta(of: record),
        incarnation: record.incarnation, state: Self.wireState(record.state),
        versions: table.versions(of: record))
    }
    return writer.finish(userState: userState)
  }

  static func wireState(_ state: MemberState) -> WireMemberState {
    switch state {
    case .alive: .alive
    case .suspect: .suspect
    case .dead: .dead
    case .left: .left
    }
  }

  mutating func openPushPull(
    to target: NodeAddress, join: Bool, connectTimeout: Duration? = nil, followUp: Bool = false,
    now: Int64
  ) {
    guard
      let request = try? streamCodec.encode(
        encoded: localStateMessage(join: join), includeLabel: true)
    else { return }
    openStream(
      to: target, request: request, timeout: settings.tcpTimeout, connectTimeout: connectTimeout,
      purpose: .pushPull(join: join, target: target, followUp: followUp))
  }

  /// Anti-entropy: a full exchange with one random alive member
  /// (`followUp`: one of the syncs after a join).
  mutating func pushPullWithRandomMember(followUp: Bool = false, now: Int64) {
    let me = name
    guard
      let position = table.randomPositions(
        1, using: &random,
        eligible: {
          $0.name != me && $0.state == .alive
        }
      ).first
    else { return }
    openPushPull(to: table[position].address, join: false, followUp: followUp, now: now)
  }

  /// A stream message as read: a push-pull is kept as a reader over its
  /// members, so that thousands of them are merged without being built.
  enum StreamRequest {
    /// A push-pull: its members still to read, and why they cannot be
    /// merged with ours (nil when they can).
    case pushPull(PushPullReader, incompatibility: String?)
    case message(Message)
  }

  /// Reads one stream message; a push-pull is checked to be complete but
  /// its members are left for the caller to walk.
  func readStreamMessage(_ bytes: [UInt8], allowLabel: Bool, inflatedLimit: Int? = nil)
    throws(WireError) -> StreamRequest
  {
    var codec = streamCodec
    if let inflatedLimit {
      codec.options.decompressionLimit = min(codec.options.decompressionLimit, inflatedLimit)
    }
    return try codec.decode(bytes[...], allowLabel: allowLabel) {
      (reader) throws(WireError) -> StreamRequest in
      let start = reader.position
      let typeByte = try reader.readByte()
      guard let type = MessageType(rawValue: typeByte) else {
        throw WireError(.unsupported, "unknown stream message type \(typeByte)", at: start)
      }
      if type == .pushPull {
        let members = try PushPullReader(reader)
        // Walk to the end once so that a request cut short is reported
        // (read more) before anything is answered or merged, and check on
        // the way that both sides' versions are compatible.
        var check = members
        var span = localVersionSpan()
        while let state = try check.next() {
          span.include(ProtocolVersions(state.vsn), alive: state.state == .alive)
        }
        _ = try check.userState()
        reader = check.reader
        return .pushPull(members, incompatibility: span.incompatibility)
      }
      guard let message = try Message.decodeBody(type, from: &reader, transport: .stream) else {
        throw WireError(
          .unsupported, "message type \(typeByte) is not valid at the start of a stream message",
          at: start)
      }
      return .message(message)
    }.value
  }

  /// The reply to a stream this node opened.
  public mutating func streamReplied(id: UInt64, bytes: [UInt8], now: Timestamp) -> [Effect] {
    guard let purpose = streams.removeValue(forKey: id) else { return [] }
    let clock = now.nanoseconds
    do throws(WireError) {
      switch (purpose, try readStreamMessage(bytes, allowLabel: false)) {
      case (.pushPull(true, let target, _), .pushPull(_, let incompatibility?)):
        effects.append(
          .joinFinished(address: target, error: "incompatible cluster: \(incompatibility)"))
      case (.pushPull(false, _, _), .pushPull(_, _?)):
        counters.incompatibleMerges += 1
      case (.pushPull(let join, let target, let followUp), .pushPull(let members, nil)):
        // Quiet merges: members we learn from a peer's reply are known
        // around the cluster already. In a small cluster re-gossiping them
        // as memberlist does costs little and reaches the members that
        // joined before them, which would otherwise wait for a follow-up
        // sync.
        let eventsBefore = followUp ? effects.count(where: \.isMembershipEvent) : 0
        try merge(
          members, now: clock,
          gossipNewMembers: !settings.policies.quietMerges
            || members.stateCount <= Self.joinReplyGossipLimit)
        // In a small cluster, where joiners announce themselves to every
        // member and join replies are re-gossiped, a follow-up sync that
        // changed nothing in this node's view says the join is complete.
        // In a big one a single peer's view says less: all are made.
        if followUp, settings.policies.directAnnouncements,
          table.aliveCount <= Self.joinReplyGossipLimit,
          effects.count(where: \.isMembershipEvent) == eventsBefore
        {
          followUpSyncsDone = true
        }
        if join {
          effects.append(.joinFinished(address: target, error: nil))
          scheduleFollowUpSyncs(now: clock)
          if settings.policies.directAnnouncements {
            announceJoin(exceptAt: target)
            // Now rather than at the next gossip tick: the rest of the
            // cluster learns of a joiner one round sooner.
            gossip(now: clock)
          }
        }
      case (.fallbackPing(let sequence), .message(.ack(let ack))) where ack.seqNo == sequence:
        if var current = probe, current.sequence == sequence {
          current.fallbackReached = true
          probe = current
        }
      case (_, .message(.error(let remote))):
        finishStream(purpose, error: "the peer answered with an error: \(remote.error)", now: clock)
      default:
        finishStream(purpose, error: "unexpected reply", now: clock)
      }
    } catch {
      counters.decodeErrors += 1
      // A peer that cannot read our stream (another label, or no key in
      // common) closes it without a word: say what that usually means.
      finishStream(
        purpose,
        error: bytes.isEmpty
          ? "the peer closed the connection without answering (a different label or encryption key?)"
          : "could not decode the reply: \(error)", now: clock)
    }
    return drainEffects()
  }

  /// The largest join reply whose new members are re-gossiped under quiet
  /// merges, and the largest cluster a joiner announces itself to member
  /// by member under direct announcements (`Policies`).
  static let joinReplyGossipLimit = 64

  /// Direct announcements (`Policies.directAnnouncements`): in a cluster
  /// of at most `joinReplyGossipLimit` members, a joiner sends its alive
  /// message straight to every alive member it learned from the join
  /// reply (but the one that answered, which has it already), as `leave`
  /// does with its farewell. The last members of a small cluster to hear
  /// of a joiner set how long the cluster takes to agree; a few dozen
  /// datagrams once per join cost less than gossip's rounds. Bigger
  /// clusters rely on gossip alone, so a join storm does not make every
  /// joiner send thousands of datagrams.
  mutating func announceJoin(exceptAt target: NodeAddress) {
    guard table.aliveCount <= Self.joinReplyGossipLimit else { return }
    sendToEveryAliveMember(Message.alive(localAlive).encoded(), sparing: target)
  }

  private mutating func scheduleFollowUpSyncs(now: Int64) {
    guard settings.policies.joinFollowUpSyncs > 0 && !hadJoined else { return }
    hadJoined = true
    let wait: Int64 = 2_000_000_000
    timers.schedule(
      at: now.addingSaturating(wait), .followUpSync(settings.policies.joinFollowUpSyncs, wait: wait)
    )
  }

  /// A stream this node opened failed (refused, timed out, cut).
  /// `refused` says the connection itself was refused (ECONNREFUSED):
  /// the peer's host is up but nothing listens on its port.
  public mutating func streamFailed(
    id: UInt64, reason: String, refused: Bool = false, now: Timestamp
  ) -> [Effect] {
    guard let purpose = streams.removeValue(forKey: id) else { return [] }
    let clock = now.nanoseconds
    if refused, case .fallbackPing(let sequence) = purpose, var current = probe,
      current.sequence == sequence
    {
      current.fallbackRefused = true
      probe = current
      // Nothing will answer a process that is gone: judge the probe now
      // instead of waiting out the probe interval.
      if settings.policies.fastCrashDetection && !current.acked {
        finishProbe(sequence: sequence, now: clock)
      }
    }
    finishStream(purpose, error: reason, now: clock)
    return drainEffects()
  }

  private mutating func finishStream(_ purpose: StreamPurpose, error: String, now: Int64) {
    if case .pushPull(true, let target, _) = purpose {
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
  ///
  /// `inflatedLimit` caps what a compressed request may decompress to (the
  /// runtime passes the same per-request limit it holds the raw bytes to,
  /// so that compression cannot carry a larger request past it).
  public mutating func handleStream(
    _ bytes: [UInt8], from sender: NodeAddress, now: Timestamp, inflatedLimit: Int? = nil
  ) -> (answer: StreamAnswer, effects: [Effect]) {
    let clock = now.nanoseconds
    let request: StreamRequest
    do {
      request = try readStreamMessage(bytes, allowLabel: true, inflatedLimit: inflatedLimit)
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
    case .message(.ping(let ping)):
      guard ping.node.isEmpty || ping.node == name else { return (.close, []) }
      return (answer(.ack(Ack(seqNo: ping.seqNo))), [])
    case .pushPull(let members, let incompatibility):
      // Answer with our state as it was before merging theirs; the other
      // side runs the same check and gives up if the versions clash.
      let reply = answer(encoded: localStateMessage(join: members.join))
      guard incompatibility == nil else {
        counters.incompatibleMerges += 1
        return (reply, [])
      }
      // A joiner's news is new to the cluster: gossip it. Under quiet
      // merges anti-entropy only gossips changes to members we knew.
      do {
        try merge(
          members, now: clock,
          gossipNewMembers: members.join || !settings.policies.quietMerges)
        // Pass a joiner's news on at once, not at the next gossip tick.
        if members.join && settings.policies.directAnnouncements { gossip(now: clock) }
      } catch {
        counters.decodeErrors += 1
      }
      return (reply, drainEffects())
    case .message(.user(let user)):
      effects.append(.deliver(.message(user.payload)))
      return (.close, drainEffects())
    case .message(let other):
      return (
        answer(.error(ErrorResponse(error: "unexpected \(other.type.name) message"))), []
      )
    }
  }

  private mutating func answer(_ message: Message) -> StreamAnswer {
    answer(encoded: message.encoded(for: .stream, intStyle: streamCodec.options.intStyle))
  }

  private mutating func answer(encoded message: [UInt8]) -> StreamAnswer {
    guard
      let bytes = try? streamCodec.encode(encoded: message, includeLabel: false)
    else {
      return .close
    }
    return .reply(bytes)
  }

  /// The version span of our own members.
  func localVersionSpan() -> VersionSpan {
    var span = VersionSpan()
    for record in table.records {
      span.include(table.versions(of: record), alive: record.state == .alive)
    }
    return span
  }

  /// Applies a peer's full state: alive news as alive, left as left, and
  /// dead or suspect only as a suspicion of our own (a push-pull never
  /// declares anyone dead directly).
  mutating func merge(_ remote: PushPullReader, now: Int64, gossipNewMembers: Bool)
    throws(WireError)
  {
    lastContact = Timestamp(nanoseconds: now)
    // Room for an event per member at once: a joiner learns thousands,
    // and an array grown by doubling copied them into fresh pages at
    // every step (docs/simulation.md, "Thirteenth round"). A state takes
    // well over 8 bytes: a count the bytes cannot hold reserves no more
    // than they can.
    effects.reserveCapacity(
      effects.count + min(remote.stateCount, remote.reader.remainingCount / 8))
    var members = remote
    while let state = try members.next() {
      // A name, metadata or version bytes over `MemberLimits`: skip this
      // member, merge the others.
      guard state.isWithinLimits else {
        counters.decodeErrors += 1
        continue
      }
      switch state.state {
      case .alive:
        applyAlive(AliveNews(state), now: now, gossipIfNew: gossipNewMembers)
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
    let userState = try members.userState()
    if !userState.isEmpty {
      effects.append(.deliver(.remoteState(Array(userState), join: remote.join)))
    }
  }
}

extension Effect {
  /// Whether this effect tells of a change in membership.
  fileprivate var isMembershipEvent: Bool {
    if case .event = self { true } else { false }
  }
}
