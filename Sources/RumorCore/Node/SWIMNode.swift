import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One member's protocol state machine: SWIM with memberlist's semantics
/// and the Lifeguard extensions, and nothing else. It owns no socket,
/// reads no clock and uses no global randomness: time comes in with every
/// call, randomness from a seeded generator, and everything it wants done
/// goes out as `Effect`s. The node runtime drives it with real sockets and
/// the monotonic clock; the simulator drives thousands of them with a
/// virtual network and clock.
///
/// ```swift
/// var node = try SWIMNode(name: "api-1", address: address, seed: 42)
/// var effects = node.start(now: clock.now)
/// effects += node.join([seedAddress], now: clock.now)
/// // … perform the effects; feed packets to `receivePacket`, stream
/// // replies to `streamReplied`, and call `tick` at `nextDeadline`.
/// ```
public struct SWIMNode: Sendable {
  /// This member's unique name.
  public let name: String
  /// The address other members reach this one at.
  public private(set) var address: NodeAddress
  /// The protocol settings.
  public let settings: SWIMSettings
  /// What this node has counted so far.
  public internal(set) var counters = NodeCounters()
  /// Opaque state the layer above sends in push-pull exchanges; set with
  /// `setLocalUserState`. Unused while `userStateSource` is set.
  public internal(set) var localUserState: [UInt8] = []
  /// Makes the layer above's state for each push-pull that goes out.
  /// `ClusterNode` sets it around one input and clears it after, so that
  /// Serf's state (O(members) to encode) is encoded only when a push-pull
  /// actually goes out, and not kept after: a copy kept by every node was
  /// about 15 bytes a member, gigabytes of a 10,000-node simulation.
  var userStateSource: (@Sendable (MemberTable) -> [UInt8])?
  /// How often `userStateSource` made the state.
  var userStateEncodings = 0
  /// How often this node's state was encoded for a push-pull (with or
  /// without `userStateSource`).
  var localStateEncodings = 0
  /// What the layer above puts in every ack to a direct UDP ping
  /// (memberlist's `AckPayload`: Serf's network coordinate); empty sends
  /// none. Set with `setAckPayload`.
  public internal(set) var ackPayload: [UInt8] = []

  var codec: PacketCodec
  var streamCodec: StreamCodec
  var random: SplitMix64
  var table = MemberTable()
  var timers = DeadlineHeap<TimerEvent>()
  var broadcasts = BroadcastQueue()
  var userBroadcasts = BroadcastQueue()
  var suspicions: [String: Suspicion] = [:]
  var awareness: Awareness
  var probe: ActiveProbe?
  var relays: [UInt32: Relay] = [:]
  var streams: [UInt64: StreamPurpose] = [:]
  // The policies' state (`Policies`; Sources/RumorCore/Policies).
  var accusationGuard = AccusationGuard()
  var lateNackCredit = LateNackCredit()
  var quarantine: Quarantine
  var standing: Standing
  var sequence: UInt32 = 0
  var nextStreamID: UInt64 = 1
  var started = false
  var probeTickMissed = false
  var hadJoined = false
  /// A follow-up sync after the join changed nothing in this node's view:
  /// the remaining ones are not made.
  var followUpSyncsDone = false
  /// Whether this node has judged itself the failing part and neither
  /// accuses others nor refutes accusations (`Policies.standDown`).
  public var isStandingDown: Bool { standing.isStandingDown }
  /// Set by `leave`: the node no longer refutes its own death.
  public internal(set) var hasLeft = false
  /// When this node last heard from the cluster first-hand: an ack to one
  /// of its own probes (direct or relayed) or a peer's full state in a
  /// push-pull. Every member's state is confirmed no later than this, as
  /// far as gossip can: had it changed, the news would travel with those
  /// exchanges. Nil until the first one.
  public internal(set) var lastContact: Timestamp?
  var effects: [Effect] = []
  /// Names claimed from a second address, not yet taken by the layer
  /// above (`takeNameConflicts`); at most `NameConflict.pendingLimit`.
  var nameConflicts: [NameConflict] = []

  // Settings in nanoseconds, converted once.
  let probeInterval: Int64
  let probeTimeout: Int64
  let gossipInterval: Int64
  let pushPullInterval: Int64
  let gossipToTheDead: Int64
  let reclaimTime: Int64

  /// Creates a node that knows only itself. `seed` drives every random
  /// choice it makes; `wire` sets the label and encryption keys.
  public init(
    name: String, address: NodeAddress, meta: [UInt8] = [], settings: SWIMSettings = SWIMSettings(),
    wire: WireOptions = WireOptions(), seed: UInt64
  ) throws(SettingsError) {
    try settings.validate()
    guard !name.isEmpty else { throw SettingsError(problems: ["the node name must not be empty"]) }
    // Other members refuse longer names (`MemberLimits`).
    guard name.utf8.count <= MemberLimits.maximumNameSize else {
      throw SettingsError(problems: [
        "the node name is \(name.utf8.count) bytes; the limit is \(MemberLimits.maximumNameSize)"
      ])
    }
    guard meta.count <= SerfTags.maximumMetaSize else {
      throw SettingsError(problems: [
        "node metadata is \(meta.count) bytes; the limit is \(SerfTags.maximumMetaSize)"
      ])
    }
    self.name = name
    self.address = address
    self.settings = settings
    var options = wire
    options.compression = settings.compression
    options.acceptsAnyLabel = false
    codec = PacketCodec(options: options)
    streamCodec = StreamCodec(options: options)
    random = SplitMix64(seed: seed)
    awareness = Awareness(maximum: settings.lifeguard ? settings.awarenessMaxMultiplier : 1)
    probeInterval = settings.probeInterval.nanosecondsClamped
    probeTimeout = settings.probeTimeout.nanosecondsClamped
    gossipInterval = settings.gossipInterval.nanosecondsClamped
    pushPullInterval = settings.pushPullInterval.nanosecondsClamped
    gossipToTheDead = settings.gossipToTheDeadTime.nanosecondsClamped
    reclaimTime = settings.deadNodeReclaimTime.nanosecondsClamped
    standing = Standing(threshold: settings.policies.standDown.nanosecondsClamped)
    quarantine = Quarantine(
      history: FlapHistory(
        base: settings.policies.flapQuarantine.nanosecondsClamped,
        probeInterval: settings.probeInterval.nanosecondsClamped))
    broadcasts.capacity = settings.broadcastQueueLimit
    broadcasts.protectedSubject = name
    userBroadcasts.capacity = settings.broadcastQueueLimit
    // The longest news an empty gossip packet carries to any member (a
    // checksummed one has the least room); anything longer never goes out.
    let fits =
      Packer(budget: settings.packetBudget, overhead: codec.overhead(checksum: true)).gossipSpace
      - Compound.perPartOverhead
    broadcasts.maximumMessageSize = fits
    userBroadcasts.maximumMessageSize = fits
    table.insert(
      MemberTable.Record(
        name: name, address: address, incarnation: 0, state: .dead, stateChange: 0),
      meta: meta, versions: .rumor, using: &random)
  }

  // MARK: Life cycle

  /// Announces this node (incarnation 1) and starts its timers, each with
  /// a random first delay so that members do not tick in step.
  public mutating func start(now: Timestamp) -> [Effect] {
    guard !started else { return [] }
    started = true
    let clock = now.nanoseconds
    setLocalAlive(incarnation: 1, meta: table.meta(of: localRecord), now: clock)
    timers.schedule(at: clock + Int64(random.below(Int(probeInterval))), .probeTick)
    timers.schedule(at: clock + Int64(random.below(Int(gossipInterval))), .gossipTick)
    if pushPullInterval > 0 {
      // memberlist waits a random stagger and then a whole interval,
      // scaled to the members known at the stagger's end, before its first
      // push-pull; `Policies.earlyFirstPushPull` makes it at the stagger.
      let stagger = clock + Int64(random.below(Int(pushPullInterval)))
      timers.schedule(
        at: stagger, settings.policies.earlyFirstPushPull ? .pushPullTick : .pushPullStaggerEnd)
    }
    return drainEffects()
  }

  /// Fires every timer due at `now`.
  public mutating func tick(now: Timestamp) -> [Effect] {
    let clock = now.nanoseconds
    while let event = timers.popDue(at: clock) {
      handle(event, now: clock)
    }
    return drainEffects()
  }

  /// When `tick` should next be called.
  public var nextDeadline: Timestamp? {
    timers.earliest.map(Timestamp.init(nanoseconds:))
  }

  /// Joins a cluster through the members at `addresses`, by a full state
  /// exchange with each (memberlist's join). Each attempt reports back as
  /// `Effect.joinFinished`.
  public mutating func join(_ addresses: [NodeAddress], now: Timestamp) -> [Effect] {
    join(addresses, connectTimeout: nil, now: now)
  }

  /// A join whose connections must be made within `connectTimeout` (nil:
  /// within the TCP timeout, as any stream).
  mutating func join(
    _ addresses: [NodeAddress], connectTimeout: Duration?, now: Timestamp
  ) -> [Effect] {
    for target in addresses where target != address {
      openPushPull(to: target, join: true, connectTimeout: connectTimeout, now: now.nanoseconds)
    }
    return drainEffects()
  }

  /// Leaves gracefully: gossips this node's own death (memberlist's leave:
  /// a dead message from itself, which others record as left), and under
  /// `Policies.directAnnouncements` sends it straight to every alive
  /// member too. Keep the node running until `isLeaveBroadcast` so that
  /// the news gets out.
  ///
  /// Gossip alone, with its few retransmissions in a small cluster,
  /// sometimes misses a member, which then suspects the silent leaver and
  /// sees it leave only at a later push-pull (docs/benchmarks.md, run 3).
  public mutating func leave(now: Timestamp) -> [Effect] {
    guard !hasLeft else { return [] }
    hasLeft = true
    let record = localRecord
    let farewell = Dead(incarnation: record.incarnation, node: name, from: name)
    applyDead(farewell, now: now.nanoseconds)
    if settings.policies.directAnnouncements {
      sendToEveryAliveMember(Message.dead(farewell).encoded())
    }
    return drainEffects()
  }

  /// Whether this node's leave has been sent as often as gossip sends any
  /// news (or there is nobody left to tell).
  public var isLeaveBroadcast: Bool {
    hasLeft && (!broadcasts.contains(subject: name) || table.activeCount == 0)
  }

  /// Changes this node's metadata (Serf tags) and gossips it with a new
  /// incarnation.
  public mutating func updateMeta(_ meta: [UInt8], now: Timestamp) throws(SettingsError) -> [Effect]
  {
    guard meta.count <= SerfTags.maximumMetaSize else {
      throw SettingsError(problems: [
        "node metadata is \(meta.count) bytes; the limit is \(SerfTags.maximumMetaSize)"
      ])
    }
    // Saturating: an incarnation that wrapped to 0 would be older news.
    let current = localRecord.incarnation
    setLocalAlive(
      incarnation: current == .max ? current : current + 1, meta: meta, now: now.nanoseconds)
    return drainEffects()
  }

  /// Sets the state the layer above (Serf) sends in push-pull exchanges
  /// from now on.
  public mutating func setLocalUserState(_ state: [UInt8]) {
    localUserState = state
  }

  /// Sets what every ack to a direct UDP ping carries from now on
  /// (memberlist's ping delegate); empty sends none. Acks that relay an
  /// indirect probe or answer a TCP ping carry none, as memberlist's.
  /// Throws, keeping the old payload, above `maximumAckPayload` bytes.
  public mutating func setAckPayload(_ payload: [UInt8]) throws(SettingsError) {
    guard payload.count <= Self.maximumAckPayload else {
      throw SettingsError(problems: [
        "an ack payload is \(payload.count) bytes; the limit is \(Self.maximumAckPayload)"
      ])
    }
    ackPayload = payload
  }

  /// The largest ack payload: an ack must fit any packet budget with room
  /// to spare (Serf's coordinate takes 130 bytes).
  public static let maximumAckPayload = 512

  /// Queues a delegate (Serf) message for gossip. `holder`, when known,
  /// is a member that has the message already (a Serf query's asker):
  /// while other members are there to take them, the message's few sends
  /// go to those (`takeBroadcasts`).
  public mutating func broadcastUserMessage(_ payload: [UInt8], heldBy holder: NodeAddress? = nil) {
    userBroadcasts.enqueue(
      Message.user(UserMessage(payload: payload)).encoded(), subject: nil, heldBy: holder)
  }

  /// How many delegate messages are still to be gossiped (each is dropped
  /// once sent as often as any news).
  public var pendingUserMessages: Int { userBroadcasts.count }

  /// Sends a delegate message straight to every alive member, besides
  /// gossiping it: for news that must arrive before what follows it (a
  /// Serf leave intent before memberlist's leave).
  public mutating func sendUserMessageToAliveMembers(_ payload: [UInt8], now: Timestamp)
    -> [Effect]
  {
    let message = Message.user(UserMessage(payload: payload)).encoded()
    for record in table.records where record.state == .alive && record.name != name {
      sendRaw(message, to: record.address, protocolMax: table.versions(of: record).protocolMax)
    }
    return drainEffects()
  }

  /// The keyring packets and streams are encrypted with; nil when the
  /// cluster is not encrypted.
  public var keyring: Keyring? { codec.options.keyring }

  /// Replaces the keyring (a key rotation: Serf's key queries). Only an
  /// encrypted node's keyring can change; encryption is never switched on
  /// or off this way.
  mutating func setKeyring(_ keyring: Keyring) {
    guard codec.options.keyring != nil else { return }
    codec.options.keyring = keyring
    streamCodec.options.keyring = keyring
  }

  /// Sends a delegate (Serf) message straight to `target` as one
  /// datagram, not gossiped (memberlist's `SendToAddress`: Serf's query
  /// acks, responses and relays).
  public mutating func sendUserMessage(_ payload: [UInt8], to target: NodeAddress) -> [Effect] {
    sendRaw(Message.user(UserMessage(payload: payload)).encoded(), to: target, protocolMax: nil)
    return drainEffects()
  }

  /// Up to `count` alive members other than this node and `excluded`,
  /// picked at random with `random` (Serf's relay members).
  public func randomAliveMembers(
    _ count: Int, excluding excluded: NodeAddress, using random: inout SplitMix64
  ) -> [NodeAddress] {
    let me = name
    return table.randomPositions(count, using: &random) { record in
      record.name != me && record.state == .alive && record.address != excluded
    }.map { table[$0].address }
  }

  // MARK: Views

  /// Every known member, this node included, in name order.
  public var members: [Member] {
    table.records.map(table.member(of:)).sorted { $0.name < $1.name }
  }

  /// What this node knows about `name`.
  public func member(named name: String) -> Member? {
    table.record(named: name).map(table.member(of:))
  }

  /// How many members are known (dead ones not yet reaped included).
  public var memberCount: Int { table.count }

  /// How many members are alive or suspect, this node included.
  public var activeMemberCount: Int { table.activeCount }

  /// How many members are alive (not suspect), this node included.
  public var aliveMemberCount: Int { table.aliveCount }

  /// This node's incarnation.
  public var incarnation: UInt32 { localRecord.incarnation }

  /// The local health score (0 is healthy).
  public var healthScore: Int { awareness.score }

  // MARK: Internals shared by the extensions

  var localRecord: MemberTable.Record {
    // The local record is inserted in `init` and never reaped.
    table.record(named: name)
      ?? MemberTable.Record(
        name: name, address: address, incarnation: 0, state: .dead, stateChange: 0)
  }

  mutating func drainEffects() -> [Effect] {
    // Every public entry point ends here: bring the queues' tallies over.
    counters.oversizedBroadcastsDropped =
      broadcasts.oversizedDropped + userBroadcasts.oversizedDropped
    counters.broadcastQueueDepth = broadcasts.count + userBroadcasts.count
    // Hand the buffer over and start a new one: keeping its capacity
    // would copy it (the caller holds it) at the size of the largest
    // burst ever, for every node, on every call.
    let drained = effects
    effects = []
    return drained
  }

  mutating func emit(_ event: MembershipEvent) {
    effects.append(.event(event))
  }

  mutating func nextSequence() -> UInt32 {
    sequence &+= 1
    return sequence
  }

  /// Each broadcast is sent `retransmitMultiplier × ⌈log10(n + 1)⌉` times.
  var retransmitLimit: Int {
    let scale = Int(log10(Double(table.count + 1)).rounded(.up))
    return settings.retransmitMultiplier * max(1, scale)
  }

  mutating func handle(_ event: TimerEvent, now: Int64) {
    switch event {
    case .probeTick:
      timers.schedule(at: now + probeInterval, .probeTick)
      // A tick during a probe waits for it to end, like a Go ticker that
      // keeps one tick for a busy receiver.
      if probe == nil { startProbe(now: now) } else { probeTickMissed = true }
    case .gossipTick:
      timers.schedule(at: now + gossipInterval, .gossipTick)
      gossip(now: now)
    case .pushPullStaggerEnd:
      timers.schedule(at: now + scaledPushPullInterval, .pushPullTick)
    case .pushPullTick:
      timers.schedule(at: now + scaledPushPullInterval, .pushPullTick)
      // A node standing down would hand its alive record to a member that
      // has it dead, and bring itself back in.
      if !isStandingDown { pushPullWithRandomMember(now: now) }
    case .followUpSync(let remaining, let wait):
      guard !followUpSyncsDone else { break }
      pushPullWithRandomMember(followUp: true, now: now)
      if remaining > 1 {
        timers.schedule(
          at: now.addingSaturating(2 * wait), .followUpSync(remaining - 1, wait: 2 * wait))
      }
    case .directTimeout(let sequence):
      directProbeTimedOut(sequence: sequence, now: now)
    case .probeDeadline(let sequence):
      finishProbe(sequence: sequence, now: now)
    case .relayTimeout(let sequence):
      relayTimedOut(sequence: sequence)
    case .suspicionTimeout(let member, let start):
      suspicionTimedOut(member: member, start: start, now: now)
    case .probationTimeout(let sequence):
      probationTimedOut(sequence: sequence, now: now)
    case .probationPing(let member):
      continueProbation(of: member, now: now)
    }
  }

  /// The push-pull interval grows with the cluster beyond 32 members:
  /// × (⌈log2(n) − log2(32)⌉ + 1).
  var scaledPushPullInterval: Int64 {
    let members = table.count
    guard members > 32 else { return pushPullInterval }
    let factor = Int64((log2(Double(members)) - 5).rounded(.up)) + 1
    return pushPullInterval.multipliedReportingOverflow(by: factor).overflow
      ? .max : pushPullInterval * factor
  }
}

/// Why a timer was set.
enum TimerEvent {
  case probeTick
  case gossipTick
  /// The random stagger before the push-pull timer starts is over: the
  /// first periodic push-pull is one (scaled) interval later.
  case pushPullStaggerEnd
  case pushPullTick
  /// The direct ping of probe `sequence` got no ack within the timeout.
  case directTimeout(UInt32)
  /// Probe `sequence` is over.
  case probeDeadline(UInt32)
  /// The relayed ping `sequence` got no ack: send a nack if asked to.
  case relayTimeout(UInt32)
  /// The suspicion of `member` that started at `start` may be due.
  case suspicionTimeout(String, Int64)
  /// The probation ping `sequence` got no ack in time
  /// (`Policies.flapQuarantine`).
  case probationTimeout(UInt32)
  /// The next ping of `member`'s probation is due
  /// (`Policies.flapQuarantine`).
  case probationPing(String)
  /// One of the full-state exchanges after a join; `remaining` including
  /// this one, the next `2 × wait` later.
  case followUpSync(Int, wait: Int64)
}

/// A stream this node opened, and what to do with the reply.
enum StreamPurpose {
  /// `followUp`: one of the syncs after a join (`Policies.joinFollowUpSyncs`).
  case pushPull(join: Bool, target: NodeAddress, followUp: Bool)
  case fallbackPing(sequence: UInt32)
}
