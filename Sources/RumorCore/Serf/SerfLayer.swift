import RumorWire

/// Serf's member bookkeeping on top of the SWIM core, so that a Rumor node
/// looks like a proper member to real Serf agents: it gossips join and
/// leave intents, tracks every member's Serf status (alive, leaving, left,
/// failed) by Serf's rules, and exchanges Serf's state in push-pulls.
///
/// Like `SWIMNode` it is a pure state machine: it owns no socket and reads
/// no clock; time comes in with every call that needs it, and what it wants
/// done comes back as values. `ClusterNode` composes it with the SWIM core
/// (memberlist's events in, Serf's messages and push-pull state through
/// the SWIM node's user messages), and is what runtimes drive.
///
/// User events are kept, de-duplicated and delivered as Serf does;
/// queries are not answered yet, but their Lamport times are witnessed so
/// that our clocks stay in step with the cluster.
public struct SerfLayer: Sendable {
  /// This member's name (the same as the SWIM node's).
  public let name: String
  /// The settings.
  public let settings: SerfSettings
  /// The member clock: the time of join and leave intents.
  public internal(set) var memberClock = LamportClock()
  /// The user-event clock.
  public internal(set) var eventClock = LamportClock()
  /// The query clock.
  public internal(set) var queryClock = LamportClock()
  /// What the layer has counted so far.
  public internal(set) var counters = SerfCounters()
  /// Set by `leaveIntent`: the node is on its way out, no longer refutes
  /// leave intents about itself and makes no more join intents.
  public internal(set) var isLeaving = false

  /// Where the members' records are (`MemberTable.subscript(serf:)`): a
  /// table of its own, holding only Serf records, for a layer used alone;
  /// `ClusterNode` keeps them in its SWIM node's table instead (one name
  /// and one index per member for both layers), lending that table here
  /// for every call that needs them.
  var table = MemberTable()
  var intents: SerfIntentBuffer
  /// Recent user events (Serf's event buffer).
  var events: SerfEventBuffer
  /// Recent queries (Serf's query buffer).
  var queries: SerfQueryBuffer
  /// Queries this node sent, waiting for answers until their deadline.
  var pendingQueries: [QueryHandle: PendingQuery] = [:]
  /// This member's tags, for queries' tag filters.
  public internal(set) var tags: [String: String] = [:]
  /// Events before this time are ignored: set while a join that should
  /// not replay old events merges its peer's state (Serf's
  /// `eventMinTime`).
  var eventMinimumTime: UInt64 = 0
  /// Set while this node joins without replaying old events (Serf's
  /// `eventJoinIgnore`, the default of `serf join`): a joining push-pull
  /// then moves `eventMinimumTime` up to the peer's event clock.
  public internal(set) var ignoresOldEventsOnJoin = false
  /// Members as they were lost (failed or left), oldest first, from
  /// `lostOrderHead` on: what `lostMemberLimit` forgets first. An entry
  /// whose member came back or was forgotten since is skipped.
  var lostOrder: [(member: String, time: Timestamp)] = []
  var lostOrderHead = 0
  /// Members a pruning force-leave will forget, and when.
  var pendingPrunes: [String: Timestamp] = [:]
  /// When the reaper next looks at failed and left members and buffered
  /// intents; nil while there is nothing it could reap.
  var nextReap: Timestamp?

  /// Creates the layer for the member `name`, which it lists as alive from
  /// the start.
  public init(name: String, settings: SerfSettings = SerfSettings()) throws(SettingsError) {
    try settings.validate()
    guard !name.isEmpty else { throw SettingsError(problems: ["the node name must not be empty"]) }
    self.name = name
    self.settings = settings
    intents = SerfIntentBuffer(
      capacity: settings.intentBufferLimit, lifetime: settings.recentIntentTimeout)
    events = SerfEventBuffer(size: settings.eventBufferSize)
    queries = SerfQueryBuffer(size: settings.queryBufferSize)
    // memberlist reports the local node to its own event delegate when it
    // is created, so Serf lists itself alive, at status time 0, before any
    // intent (Serf's `Create` then `handleNodeJoin`).
    table[serf: name] = SerfMemberRecord(status: .alive, statusTime: 0, leaveTime: nil)
    // Serf's `Create` moves every clock to 1, so that the zero a message
    // carries by default never counts as news.
    memberClock.increment()
    eventClock.increment()
    queryClock.increment()
  }

  // MARK: Views

  /// The Serf status of `member`, or nil if the layer does not know it
  /// (never seen by memberlist, or forgotten).
  public func status(of member: String) -> SerfMemberStatus? {
    table[serf: member]?.status
  }

  /// The Lamport time of the last join or leave intent applied to
  /// `member` (what push-pull state carries in `StatusLTimes`).
  public func statusTime(of member: String) -> UInt64? {
    table[serf: member]?.statusTime
  }

  /// Every known member's status, this node included.
  public var statuses: [String: SerfMemberStatus] {
    var statuses: [String: SerfMemberStatus] = [:]
    table.forEachSerfRecord { member, record in statuses[member] = record.status }
    return statuses
  }

  /// The failed members, in name order: Serf tries a memberlist join to a
  /// random one of them every 30 s (with probability failed / alive), which
  /// is the runtime's to do since it knows their addresses.
  public var failedMembers: [String] {
    var failed: [String] = []
    table.forEachSerfRecord { member, record in
      if record.status == .failed { failed.append(member) }
    }
    return failed.sorted()
  }

  /// Whether any member other than this one is alive. Serf only waits for
  /// a leave intent to go out when someone is there to hear it.
  public var hasAliveMembers: Bool {
    table.containsSerfRecord { $0 != name && $1.status == .alive }
  }

  // MARK: This node's intents

  /// This node's join intent, to pass to `SWIMNode.broadcastUserMessage`
  /// once the node has joined (Serf sends it after a memberlist join that
  /// reached someone, but it may go out earlier: the gossip queue keeps it
  /// until there are members to tell). Nil once a leave has begun, as Serf
  /// refuses to join after `Leave`.
  public mutating func joinIntent() -> [UInt8]? {
    guard !isLeaving else { return nil }
    return makeJoinIntent()
  }

  /// This node's leave intent, to gossip before the SWIM node's own leave
  /// so that members record this node as *left* rather than *failed*. Nil
  /// if a leave has already begun.
  public mutating func leaveIntent() -> [UInt8]? {
    guard !isLeaving else { return nil }
    isLeaving = true
    // Serf's `Leave`: the intent carries the current time and the clock
    // moves on by one, then the intent is applied here like a received one
    // (which cannot refute itself, since we are leaving now).
    let intent = SerfLeave(lamportTime: memberClock.time, node: name, prune: false)
    memberClock.increment()
    var record = localRecord
    if intent.lamportTime > record.statusTime {
      _ = Self.applyLeave(at: intent.lamportTime, to: &record)
      table[serf: name] = record
    }
    return SerfMessage.leave(intent).encoded()
  }

  /// Declares another member gone (`serf force-leave`): a leave intent
  /// about `member`, applied here and returned for gossip. A failed member
  /// becomes *left*. With `prune` every member also forgets it at once
  /// (after `pruneDelay` if it is still leaving).
  public mutating func forceLeaveIntent(_ member: String, prune: Bool, now: Timestamp)
    -> SerfOutcome
  {
    // Serf's `forceLeave`: stamped like our own leave, applied locally,
    // and gossiped whatever the local outcome was.
    let intent = SerfLeave(lamportTime: memberClock.time, node: member, prune: prune)
    memberClock.increment()
    var outcome = SerfOutcome()
    _ = handleLeaveIntent(intent, now: now, into: &outcome)
    outcome.broadcasts.append(SerfMessage.leave(intent).encoded())
    return outcome
  }

  // MARK: Internals shared by the extensions

  /// Our own record. `forget` never removes it; the fallback only keeps
  /// this total.
  var localRecord: SerfMemberRecord {
    table[serf: name] ?? SerfMemberRecord(status: .alive, statusTime: 0, leaveTime: nil)
  }

  /// Makes a join intent for this node and applies it here (Serf's
  /// `broadcastJoin`): it carries the current time, and witnessing it moves
  /// the clock past it, so the intent is later than every time seen so far.
  mutating func makeJoinIntent() -> [UInt8] {
    let intent = SerfJoin(lamportTime: memberClock.time, node: name)
    memberClock.witness(intent.lamportTime)
    var record = localRecord
    if intent.lamportTime > record.statusTime {
      _ = Self.applyJoin(at: intent.lamportTime, to: &record)
      table[serf: name] = record
    }
    return SerfMessage.join(intent).encoded()
  }

  /// Swaps the table holding the member records with `other`: how
  /// `ClusterNode` lends the layer its SWIM node's table.
  mutating func exchangeTable(with other: inout MemberTable) {
    swap(&table, &other)
  }

  /// Runs `body` on the layer, in place (through optional chaining).
  mutating func change<Result>(_ body: (inout SerfLayer) -> Result) -> Result {
    body(&self)
  }

  /// Starts the reaper's cycle when something reapable first appears.
  mutating func wakeReaper(now: Timestamp) {
    if nextReap == nil { nextReap = now + settings.reapInterval }
  }
}
