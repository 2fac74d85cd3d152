import RumorWire

/// One member's whole protocol in one pure state machine: SWIM with
/// Lifeguard and the policies (`SWIMNode`) composed with Serf's member
/// bookkeeping (`SerfLayer`): intents, the two-phase leave, failed and
/// left members kept until reaped, and Serf's reconnect to failed members,
/// which is what heals a partition.
///
/// Like its parts it owns no socket, reads no clock and uses no global
/// randomness. The node runtime and the simulator drive the same machine:
///
/// ```swift
/// var node = try ClusterNode(name: "api-1", address: address, seed: 42)
/// var effects = node.start(now: clock.now)
/// effects += node.join([seedAddress], now: clock.now)
/// // … perform the effects; feed datagrams to `receivePacket`, streams to
/// // `handleStream`, stream replies to `streamReplied`, and call `tick`
/// // at `nextDeadline`.
/// ```
///
/// The effects it returns never include `Effect.deliver`: Serf's messages
/// and state are handled inside.
public struct ClusterNode: Sendable {
  /// The SWIM part: members as SWIM sees them, counters, settings.
  public internal(set) var swim: SWIMNode
  /// The Serf part, nil for a plain memberlist node (no Serf messages,
  /// no reconnect). Its member records are kept in `swim`'s member table
  /// (one name and one index per member for both layers); this is a view
  /// of the layer with that table lent, to read (O(1), nothing is copied
  /// unless the view is kept while the node changes).
  public var serf: SerfLayer? {
    guard var layer = serfLayer else { return nil }
    layer.table = swim.table
    return layer
  }

  /// The Serf layer's counters (nil for a plain memberlist node), read
  /// without lending the layer the member table.
  public var serfCounters: SerfCounters? { serfLayer?.counters }

  /// The Serf layer, with its member records not in it but in `swim`'s
  /// member table: `withSerf` lends it the table for calls that need the
  /// records.
  var serfLayer: SerfLayer?

  /// Randomness of the Serf side (reconnect), seeded apart from the SWIM
  /// node's so that adding it does not change SWIM's choices.
  var random: SplitMix64
  /// The last view of each member that memberlist declared failed or
  /// left: Serf keeps them (and `members` shows them) until reaped, after
  /// SWIM has forgotten them, and reconnects to the failed ones.
  var lostMembers: [String: Member] = [:]
  /// When Serf's reconnect next runs; nil while no member is failed.
  var nextReconnect: Int64?
  /// The failed members the eager reconnect picks from, with when each
  /// failed.
  var reconnectCandidates = ReconnectCandidates()
  /// Reconnect attempts under way, by address, each with when it is
  /// given up on if no `joinFinished` came for it.
  var reconnectsInFlight: [NodeAddress: Int64] = [:]
  /// When a failed member came back: when it had failed. Reconnect ticks
  /// come soon and try the members that failed with it as if they had
  /// just failed, since they are likely back too.
  var returnedFailure: Int64?
  /// Until when the ticks keep coming soon after a failed member came
  /// back (`ClusterNode.memberReturned`).
  var returnedUntil: Int64 = 0
  /// Whether the next reconnect tick is the first since a failed member
  /// came back: in a small cluster it tries a member that failed with it
  /// for sure (`ClusterNode.eagerReconnect`).
  var firstTickSinceReturn = false
  /// The last failed member that came back, when it had failed and when
  /// it came back: a second member of the same failure back soon after
  /// it says that their side is back (`ClusterNode.memberReturned`).
  var lastReturn: (name: String, failedAt: Int64, time: Int64)?
  /// A graceful leave under way.
  var pendingLeave: PendingLeave?
  /// Whether the leave has finished (`Effect.leaveFinished` went out).
  public internal(set) var hasFinishedLeaving = false
  /// How often Serf's push-pull state has been encoded: once per push-pull
  /// sent or answered, never once per message.
  public var stateEncodings: Int { swim.userStateEncodings }
  /// Joins under way that do not replay old user events, by address.
  var joinsIgnoringOldEvents: Set<NodeAddress> = []
  /// Whether Serf's join intent went out (after the first join that
  /// reached someone).
  var sentJoinIntent = false
  /// The `_serf_conflict` query under way about this node's own name.
  var conflictVote: NameConflictVote?
  let reconnectInterval: Int64
  /// When failed members are tried again.
  let reconnectPolicy: ReconnectPolicy
  /// This node's network coordinate and its peers' (Serf's), nil when
  /// there is no Serf layer or coordinates are off.
  public internal(set) var coordinates: NetworkCoordinates?
  /// Writes the keyring where its owner keeps it (Serf's keyring file)
  /// after a key query changed it, and returns why that failed, or nil.
  /// The core does no IO itself: the runtime supplies this, the simulator
  /// does not. A failure is the key query's answer (`Result` false, the
  /// reason as its message), as Serf answers when its file write fails.
  public var keyringSaver: (@Sendable ([[UInt8]]) -> String?)?

  /// Creates a node that knows only itself. `serf` nil makes a plain
  /// memberlist node. `seed` drives every random choice; `wire` sets the
  /// label and keys.
  public init(
    name: String, address: NodeAddress, meta: [UInt8] = [], settings: SWIMSettings = SWIMSettings(),
    serf serfSettings: SerfSettings? = SerfSettings(), wire: WireOptions = WireOptions(),
    seed: UInt64
  ) throws(SettingsError) {
    swim = try SWIMNode(
      name: name, address: address, meta: meta, settings: settings, wire: wire, seed: seed)
    serfLayer = try serfSettings.map { settings throws(SettingsError) in
      var layer = try SerfLayer(name: name, settings: settings)
      layer.setTags((try? SerfTags.decode(meta)) ?? [:])
      return layer
    }
    random = SplitMix64(seed: seed ^ 0x5EB7_C0DE_5EB7_C0DE)
    if var layer = serfLayer.take() {
      swim.table.takeSerfRecords(from: &layer.table)
      serfLayer = layer
    }
    reconnectInterval = (serfSettings?.reconnectInterval ?? .zero).nanosecondsClamped
    reconnectPolicy = ReconnectPolicy(serfSettings, swim: settings)
    if let vivaldi = serfSettings?.coordinates {
      coordinates = try NetworkCoordinates(
        settings: vivaldi, peerLimit: settings.maxMembers, seed: seed ^ 0xC00E_D1A7_E5C0_0ED1)
      try swim.setAckPayload(coordinates?.ackPayload ?? [])
    }
  }

  // MARK: Views

  /// This member's name.
  public var name: String { swim.name }

  /// Every member this node knows, itself included, in name order: SWIM's
  /// view, plus the members Serf still keeps as failed or left after SWIM
  /// forgot them (as `serf members` lists them until they are reaped).
  public var members: [Member] {
    var list = swim.members
    guard serfLayer != nil, !lostMembers.isEmpty else { return list }
    // A failed member that a force-leave made left is left, even while
    // SWIM still keeps it as dead.
    for index in list.indices
    where list[index].state == .dead && serfStatus(of: list[index].name) == .left {
      list[index].state = .left
    }
    let known = Set(list.map(\.name))
    for (name, member) in lostMembers where !known.contains(name) {
      switch serfStatus(of: name) {
      case .failed?: list.append(member.with(state: .dead))
      case .left?: list.append(member.with(state: .left))
      case .alive?, .leaving?, nil: continue
      }
    }
    return list.sorted { $0.name < $1.name }
  }

  /// What this node knows about `name`, as `members` lists it; nil when
  /// it is not listed there.
  public func member(named name: String) -> Member? {
    if let member = swim.member(named: name) {
      guard member.state == .dead, serfStatus(of: name) == .left else { return member }
      return member.with(state: .left)
    }
    guard serfLayer != nil, let member = lostMembers[name] else { return nil }
    switch serfStatus(of: name) {
    case .failed?: return member.with(state: .dead)
    case .left?: return member.with(state: .left)
    case .alive?, .leaving?, nil: return nil
    }
  }

  /// When `tick` should next be called.
  public var nextDeadline: Timestamp? {
    var earliest = swim.nextDeadline?.nanoseconds
    func consider(_ time: Int64?) {
      guard let time else { return }
      earliest = min(earliest ?? time, time)
    }
    consider(serfLayer?.nextDeadline?.nanoseconds)
    consider(nextReconnect)
    if let pendingLeave {
      consider(
        pendingLeave.memberlistLeaveSent ? pendingLeave.deadline : pendingLeave.intentDeadline)
    }
    return earliest.map(Timestamp.init(nanoseconds:))
  }

  // MARK: Inputs

  /// Announces this node and starts its timers.
  public mutating func start(now: Timestamp) -> [Effect] {
    process(withUserState { $0.start(now: now) }, now: now)
  }

  /// Fires every timer due at `now`: SWIM's, Serf's reaper, Serf's
  /// reconnect and the leave's steps.
  public mutating func tick(now: Timestamp) -> [Effect] {
    var output = process(withUserState { $0.tick(now: now) }, now: now)
    if let due = serfLayer?.nextDeadline, due <= now {
      let changes = withSerf { $0.tick(now: now) } ?? []
      output += forgotten(changes)
      output += countConflictVotes(
        (serfLayer?.finishQueries(now: now) ?? []).map(Effect.queryReply))
    }
    if let due = nextReconnect, due <= now.nanoseconds {
      output += reconnect(now: now)
    }
    output += advanceLeave(now: now)
    return output
  }

  /// Takes one UDP datagram.
  public mutating func receivePacket(_ bytes: [UInt8], from sender: NodeAddress, now: Timestamp)
    -> [Effect]
  {
    process(withoutUserState { $0.receivePacket(bytes, from: sender, now: now) }, now: now)
  }

  /// Takes the bytes of an inbound stream read so far; see
  /// `SWIMNode.handleStream` (and its `inflatedLimit`).
  public mutating func handleStream(
    _ bytes: [UInt8], from sender: NodeAddress, now: Timestamp, inflatedLimit: Int? = nil
  ) -> (answer: SWIMNode.StreamAnswer, effects: [Effect]) {
    let (answer, effects) = withUserState {
      $0.handleStream(bytes, from: sender, now: now, inflatedLimit: inflatedLimit)
    }
    return (answer, process(effects, now: now))
  }

  /// The reply to stream `id`.
  public mutating func streamReplied(id: UInt64, bytes: [UInt8], now: Timestamp) -> [Effect] {
    process(withoutUserState { $0.streamReplied(id: id, bytes: bytes, now: now) }, now: now)
  }

  /// Stream `id` failed; `refused` when the connection was refused.
  public mutating func streamFailed(id: UInt64, reason: String, refused: Bool, now: Timestamp)
    -> [Effect]
  {
    process(
      withoutUserState { $0.streamFailed(id: id, reason: reason, refused: refused, now: now) },
      now: now)
  }

  /// The kernel reported a datagram to `address` unreachable.
  public mutating func portUnreachable(_ address: NodeAddress, now: Timestamp) -> [Effect] {
    process(withUserState { $0.portUnreachable(address, now: now) }, now: now)
  }

  /// Joins a cluster through `addresses` (memberlist's join); each attempt
  /// reports back as `Effect.joinFinished`. The first that reaches someone
  /// sends Serf's join intent. Unless `replayingEvents`, user events the
  /// cluster sent before the join are not delivered (as `serf join`
  /// without `-replay`).
  public mutating func join(
    _ addresses: [NodeAddress], replayingEvents: Bool = false, now: Timestamp
  ) -> [Effect] {
    join(addresses, replayingEvents: replayingEvents, connectTimeout: nil, now: now)
  }

  /// A join whose connections must be made within `connectTimeout` (nil:
  /// within the TCP timeout).
  mutating func join(
    _ addresses: [NodeAddress], replayingEvents: Bool, connectTimeout: Duration?, now: Timestamp
  ) -> [Effect] {
    if !replayingEvents, serfLayer != nil {
      joinsIgnoringOldEvents.formUnion(addresses.filter { $0 != swim.address })
      if !joinsIgnoringOldEvents.isEmpty { serfLayer?.setIgnoresOldEventsOnJoin(true) }
    }
    return process(
      withUserState { $0.join(addresses, connectTimeout: connectTimeout, now: now) }, now: now)
  }

  /// Sends a user event to the whole cluster (`serf event`): gossiped,
  /// and delivered here too (`Effect.userEvent`). Throws, sending
  /// nothing, when the name and payload are over the size limit
  /// (`SerfSettings.userEventSizeLimit`) or the node has no Serf layer.
  public mutating func sendUserEvent(
    name: String, payload: [UInt8], coalesce: Bool = true, now: Timestamp
  ) throws(UserEventError) -> [Effect] {
    guard
      let outcome = try serfLayer?.userEvent(name: name, payload: payload, coalesce: coalesce)
    else { throw UserEventError(description: "a plain memberlist node sends no user events") }
    return apply(outcome, now: now)
  }

  /// Changes this node's metadata (Serf tags).
  public mutating func updateMeta(_ meta: [UInt8], now: Timestamp) throws(SettingsError)
    -> [Effect]
  {
    let effects = try swim.updateMeta(meta, now: now)
    serfLayer?.setTags((try? SerfTags.decode(meta)) ?? [:])
    return process(effects, now: now)
  }

  // MARK: Internals shared by the extensions

  /// Hands SWIM's effects to Serf and returns what the owner must do.
  mutating func process(_ effects: [Effect], now: Timestamp) -> [Effect] {
    var output: [Effect] = []
    output.reserveCapacity(effects.count)
    let decoded = decodedSerfMessages(effects)
    for (index, effect) in effects.enumerated() {
      switch effect {
      case .event(let event):
        output.append(effect)
        output += observe(event, now: now)
      case .deliver(.message(let payload)):
        let outcome: SerfOutcome?
        if let (message, lookup) = decoded.isEmpty ? nil : decoded[index] {
          outcome = withSerf {
            $0.receive(message, bytes: payload, now: now, lookedUp: lookup)
          }
        } else {
          outcome = withSerf { $0.receive(payload, now: now) }
        }
        guard let outcome else { continue }
        output += apply(outcome, now: now)
      case .deliver(.remoteState(let state, let join)):
        guard let outcome = withSerf({ $0.mergeRemoteState(state, join: join, now: now) })
        else { continue }
        output += apply(outcome, now: now)
      case .deliver(.pingCompleted(let member, let roundTrip, let payload)):
        observePing(of: member, roundTrip: roundTrip, payload: payload)
      case .joinFinished(let address, let error):
        reconnectFinished(address, error: error)
        if joinsIgnoringOldEvents.remove(address) != nil, joinsIgnoringOldEvents.isEmpty {
          serfLayer?.setIgnoresOldEventsOnJoin(false)
        }
        if error == nil, !sentJoinIntent, let intent = withSerf({ $0.joinIntent() }) ?? nil {
          // Serf announces itself once a join has reached someone.
          sentJoinIntent = true
          swim.broadcastUserMessage(intent)
        }
        output.append(effect)
      case .send, .openStream, .leaveFinished, .userEvent, .query, .queryReply,
        .nameConflictLost:
        output.append(effect)
      }
    }
    output += resolveNameConflicts(now: now)
    return output
  }

  /// Serf keeps its own member statuses from memberlist's events. Returns
  /// the members forgotten early to keep within
  /// `SerfSettings.lostMemberLimit`, as `reaped` events.
  private mutating func observe(_ event: MembershipEvent, now: Timestamp) -> [Effect] {
    guard serfLayer != nil else { return [] }
    let member = event.member
    switch event {
    case .joined:
      _ = withSerf { $0.memberJoined(member.name, now: now) }
      let lost = lostMembers.isEmpty ? nil : lostMembers.removeValue(forKey: member.name)
      memberReturned(member.name, unrefuted: lost?.incarnation == member.incarnation, now: now)
    case .failed:
      _ = withSerf { $0.memberFailed(member.name, now: now) }
      lostMembers[member.name] = member
      memberLost(member.name, now: now)
      if nextReconnect == nil {
        nextReconnect = now.nanoseconds.addingSaturating(reconnectInterval)
      }
    case .left:
      _ = withSerf { $0.memberLeft(member.name, now: now) }
      lostMembers[member.name] = member
      memberLost(member.name, now: now)
    case .updated, .suspected, .recovered, .stoodDown, .resumed, .reaped:
      return []
    }
    return forgotten(withSerf { $0.forgetBeyondLostLimit() } ?? [])
  }

  /// The `reaped` events for members Serf forgot; they leave the view.
  mutating func forgotten(_ changes: [SerfStatusChange]) -> [Effect] {
    var output: [Effect] = []
    for change in changes where change.current == nil {
      coordinates?.forget(change.member)
      reconnectCandidates.remove(change.member)
      if let member = lostMembers.removeValue(forKey: change.member) {
        output.append(.event(.reaped(member)))
      }
    }
    return output
  }

  /// Gossips what Serf wants re-broadcast and sends what goes straight to
  /// one address; returns the sends, and the user events and queries to
  /// deliver.
  mutating func apply(_ outcome: SerfOutcome, now: Timestamp) -> [Effect] {
    for (index, payload) in outcome.broadcasts.enumerated() {
      swim.broadcastUserMessage(payload, heldBy: outcome.broadcastHolders[index])
    }
    var output: [Effect] = []
    // A failed member that a leave intent made left (a force-leave, here
    // or elsewhere): Serf tells the application it left.
    for change in outcome.changes where change.previous == .failed && change.current == .left {
      reconnectCandidates.remove(change.member)
      if let member = lostMembers[change.member] {
        output.append(.event(.left(member.with(state: .left))))
      }
    }
    for message in outcome.directMessages { output += send(message) }
    output += outcome.userEvents.map(Effect.userEvent)
    output += outcome.queries.map(Effect.query)
    output += countConflictVotes(outcome.queryReplies.map(Effect.queryReply))
    for query in outcome.keyQueries {
      output += handleKeyQuery(query, now: now)
    }
    for query in outcome.conflictQueries {
      output += answerConflictQuery(query, now: now)
    }
    return output
  }

  /// Sends a Serf message straight to its address, and through
  /// `relayFactor` random alive members as well (Serf's `relayResponse`),
  /// so that it gets there even if the direct path loses it.
  mutating func send(_ message: DirectSerfMessage) -> [Effect] {
    var output = swim.sendUserMessage(message.bytes, to: message.address)
    guard message.relayFactor > 0 else { return output }
    let relays = swim.randomAliveMembers(
      Int(message.relayFactor), excluding: message.address, using: &random)
    let relay = SerfMessage.relay(
      SerfRelay(
        address: message.address.ipBytes, port: Int64(message.address.port),
        inner: message.bytes)
    ).encoded()
    for member in relays { output += swim.sendUserMessage(relay, to: member) }
    return output
  }

  /// Sends a query to the cluster (`serf query`): gossiped to every member,
  /// processed here too; acks and responses come back as
  /// `Effect.queryReply`, then `.finished` at the deadline (by default
  /// Serf's: gossip interval × 16 × ⌈log10(n + 1)⌉). Throws when the query
  /// is over 1,024 bytes encoded, too many are waiting, or the node has no
  /// Serf layer.
  public mutating func sendQuery(
    name: String, payload: [UInt8], options: QueryOptions = QueryOptions(), now: Timestamp
  ) throws(QueryResponseError) -> (handle: QueryHandle, effects: [Effect]) {
    // ⌈log10(n + 1)⌉ in integers: the powers of ten below n + 1.
    var scale: Int64 = 0
    var power = 1
    while power < swim.aliveMemberCount + 1 && scale < 18 {
      power *= 10
      scale += 1
    }
    let timeout =
      options.timeout
      ?? .nanoseconds(
        swim.settings.gossipInterval.nanosecondsClamped.multipliedReportingOverflow(
          by: 16 * max(1, scale)
        ).partialValue)
    let id = UInt32(truncatingIfNeeded: random.next())
    guard
      let (handle, outcome) = try serfLayer?.query(
        name: name, payload: payload, options: options, id: id, answerTo: swim.address,
        timeout: timeout, now: now)
    else { throw QueryResponseError(description: "a plain memberlist node sends no queries") }
    return (handle, apply(outcome, now: now))
  }

  /// Answers a query this node was handed (`Effect.query`): the response
  /// goes straight to the asker (and through the query's relay members).
  /// Throws when the deadline has passed or the payload is over
  /// `SerfSettings.queryResponseSizeLimit` (1,024 bytes).
  public mutating func respond(to query: IncomingQuery, payload: [UInt8], now: Timestamp)
    throws(QueryResponseError) -> [Effect]
  {
    guard let serf = serfLayer else {
      throw QueryResponseError(description: "a plain memberlist node answers no queries")
    }
    return send(try serf.response(to: query, payload: payload, now: now))
  }

  /// The Serf messages among `effects` (by index; nil for other effects
  /// and for bytes that do not decode, which `SerfLayer.receive(_:now:)`
  /// then counts), decoded ahead with the members their join and leave
  /// intents name looked up together (`MemberTable.lookUp`): while
  /// thousands join, a packet carries several intents, and looked up one
  /// after the other each was a cache miss of its own. Empty when there
  /// are fewer than two Serf messages, or no Serf layer.
  private func decodedSerfMessages(_ effects: [Effect])
    -> [(SerfMessage, MemberTable.Lookup?)?]
  {
    guard serfLayer != nil else { return [] }
    var count = 0
    for effect in effects {
      if case .deliver(.message) = effect { count += 1 }
    }
    guard count > 1 else { return [] }
    var messages: [SerfMessage?] = []
    messages.reserveCapacity(effects.count)
    var names: [String?] = []
    names.reserveCapacity(effects.count)
    for effect in effects {
      guard case .deliver(.message(let payload)) = effect,
        let message = try? SerfMessage(decoding: payload[...])
      else {
        messages.append(nil)
        names.append(nil)
        continue
      }
      messages.append(message)
      switch message {
      case .join(let intent): names.append(intent.node)
      case .leave(let intent): names.append(intent.node)
      default: names.append(nil)
      }
    }
    let lookups = swim.table.lookUp(names)
    return zip(messages, lookups).map { message, lookup in message.map { ($0, lookup) } }
  }

  /// Runs `body` on the Serf layer with its member records in place: the
  /// SWIM node's member table is lent to it for the call (moved, not
  /// copied), and taken back after. Nil for a plain memberlist node.
  mutating func withSerf<Result>(_ body: (inout SerfLayer) -> Result) -> Result? {
    // Through `serfLayer?.`, in place: moving the layer out and back
    // would copy the whole struct twice per call.
    serfLayer?.exchangeTable(with: &swim.table)
    let result = serfLayer?.change(body)
    serfLayer?.exchangeTable(with: &swim.table)
    return result
  }

  /// The Serf status of `member` (`SerfLayer.status(of:)`), read in the
  /// SWIM node's table without building the `serf` view.
  func serfStatus(of member: String) -> SerfMemberStatus? {
    guard serfLayer != nil else { return nil }
    return swim.table[serf: member]?.status
  }

  /// Runs one SWIM input with Serf's state ready to be encoded by each
  /// push-pull the input sends or answers; an input that sends none
  /// encodes nothing.
  mutating func withUserState<Result>(_ body: (inout SWIMNode) -> Result) -> Result {
    guard let serf = serfLayer else { return body(&swim) }
    swim.userStateSource = { table in serf.localState(in: table) }
    // Dropped after the input, so that the copy of the Serf layer it holds
    // does not make the next change copy the layer's tables.
    defer { swim.userStateSource = nil }
    return body(&swim)
  }

  /// Runs one SWIM input that never sends this node's state (a datagram,
  /// a stream's reply or failure: only ticks, joins and inbound streams
  /// open or answer a push-pull), without `withUserState`'s set-up: a
  /// copy of the Serf layer in a closure, made and dropped for every
  /// datagram, showed in the profiles of large simulations
  /// (docs/simulation.md, "Tenth round"). Debug builds check that no
  /// push-pull state was encoded.
  mutating func withoutUserState<Result>(_ body: (inout SWIMNode) -> Result) -> Result {
    let encodings = swim.localStateEncodings
    defer {
      assert(
        swim.localStateEncodings == encodings,
        "an input run without the Serf state source encoded the local state")
    }
    return body(&swim)
  }
}

extension Member {
  /// The same member in another state.
  func with(state: MemberState) -> Member {
    var copy = self
    copy.state = state
    return copy
  }
}

extension ClusterNode {
  /// Forgets every queued broadcast (`SWIMNode.settleGossip()`): for a
  /// simulator's converged start only.
  @_spi(Simulation) public mutating func settleGossip() { swim.settleGossip() }
}
