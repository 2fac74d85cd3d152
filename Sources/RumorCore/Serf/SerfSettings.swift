/// The Serf layer's settings. The defaults are Serf's (`DefaultConfig`);
/// each setting names the Serf field it mirrors.
///
/// Invalid values are reported by `validate()`, never trapped on.
public struct SerfSettings: Sendable, Hashable {
  /// How long an intent about a member memberlist does not know yet is
  /// kept, waiting for memberlist to see the member (`RecentIntentTimeout`).
  /// 5 minutes.
  public var recentIntentTimeout: Duration = .seconds(5 * 60)
  /// The most intents about unknown members kept at once. Serf's map has
  /// no bound; ours has one so that a flood of intents about made-up names
  /// cannot grow it without end. When full, the oldest intent goes. 4096.
  public var intentBufferLimit = 4096
  /// How often failed and left members and old intents are looked at for
  /// reaping (`ReapInterval`). 15 s.
  public var reapInterval: Duration = .seconds(15)
  /// How long a failed member is remembered, and may be reconnected to,
  /// before it is forgotten (`ReconnectTimeout`). 24 hours.
  public var reconnectTimeout: Duration = .seconds(24 * 3600)
  /// How often a failed member is tried again, with probability failed /
  /// alive, by a memberlist join to one of them (`ReconnectInterval`), so
  /// that the two sides of a healed partition merge. 30 s.
  public var reconnectInterval: Duration = .seconds(30)
  /// Beyond Serf: how often the cluster as a whole tries again a member
  /// that has just failed, before backing off to `reconnectInterval`; nil
  /// keeps Serf's reconnect alone. Each member tries a failed one with a
  /// probability that makes the attempts of all members together come
  /// about once per interval, whatever the cluster's size, so a member
  /// that is really gone costs the cluster about 12 connection attempts
  /// in its first minute, 6 in the second, 3 in the third and Serf's 2 a
  /// minute after that. Each attempt waits for its connection only as
  /// long as a probe waits for its ack (`SWIMSettings.probeTimeout`), so
  /// that a host out of reach costs one SYN, where each of Serf's
  /// attempts has the system retransmit its SYN for the whole TCP timeout
  /// (once a second at first on Linux): a dozen attempts a minute send
  /// about what Serf's two send. After a partition longer than memberlist's 30 s
  /// gossip-to-the-dead window, the two sides find each other within
  /// seconds of the heal rather than at the next 30 s tick. 5 s.
  public var eagerReconnectInterval: Duration? = .seconds(5)
  /// How long each step of the eager reconnect lasts: the interval doubles
  /// every this long since the member failed, until it reaches
  /// `reconnectInterval`. 60 s.
  public var reconnectBackoff: Duration = .seconds(60)
  /// The most reconnect attempts (memberlist joins to failed members) one
  /// member has under way at once; a tick finding this many waits for the
  /// next. Bounds the connections a member holds open to hosts that do not
  /// answer (each lasts up to `SWIMSettings.tcpTimeout`). 2.
  public var reconnectsInFlightLimit = 2
  /// The most failed and left members remembered at once; past it the one
  /// lost longest ago is forgotten early. Serf has no bound (a peer that
  /// makes up members and lets them fail could grow it without end).
  /// 100,000, as `SWIMSettings.maxMembers`.
  public var lostMemberLimit = 100_000
  /// How long a left member is remembered as a tombstone, so that the
  /// leave keeps spreading through push-pull (`TombstoneTimeout`). 24 hours.
  public var tombstoneTimeout: Duration = .seconds(24 * 3600)
  /// How long a pruning force-leave waits before forgetting a member that
  /// is still leaving, so that its own leave gets out first
  /// (`BroadcastTimeout` + `LeavePropagateDelay`). 6 s.
  public var pruneDelay: Duration = .seconds(6)
  /// The slots of the user-event ring, by Lamport time (`EventBuffer`):
  /// recent events kept to tell repeats and sent in push-pull state, so
  /// that an event older than this many event times is dropped. 512.
  public var eventBufferSize = 512
  /// The most bytes of a user event's name and payload together, and of
  /// the encoded event (`UserEventSizeLimit`; Serf allows at most 9 KiB).
  /// 512.
  public var userEventSizeLimit = 512
  /// The slots of the query ring, by Lamport time (`QueryBuffer`): recent
  /// queries kept so that each is answered once. 512.
  public var queryBufferSize = 512
  /// The most bytes of an encoded query (`QuerySizeLimit`). 1024.
  public var querySizeLimit = 1024
  /// The most queries of this node's own waiting for answers at once.
  public var pendingQueryLimit = 256
  /// The most bytes of a query response's payload
  /// (`QueryResponseSizeLimit`). 1024.
  public var queryResponseSizeLimit = 1024
  /// Whether this member, finding its name claimed from another address,
  /// asks the cluster (`_serf_conflict`) and stops when the majority of
  /// answers names the other address (`EnableNameConflictResolution`).
  /// On.
  public var resolvesNameConflicts = true
  /// The network coordinates' settings; nil turns coordinates off
  /// (`DisableCoordinates`): acks carry none and peers' are ignored.
  /// Serf's defaults (on).
  public var coordinates: VivaldiSettings? = VivaldiSettings()

  /// Serf's defaults.
  public init() {}

  /// Reports every invalid setting at once.
  public func validate() throws(SettingsError) {
    var problems: [String] = []
    func notNegative(_ value: Duration, _ name: String) {
      if value < .zero { problems.append("\(name) must not be negative (is \(value))") }
    }
    notNegative(recentIntentTimeout, "recent-intent timeout")
    notNegative(reconnectTimeout, "reconnect timeout")
    notNegative(tombstoneTimeout, "tombstone timeout")
    notNegative(pruneDelay, "prune delay")
    if reconnectInterval <= .zero {
      problems.append("reconnect interval must be above zero (is \(reconnectInterval))")
    }
    if let eager = eagerReconnectInterval {
      // Below 100 ms the attempts would outrun a LAN's connect round trip;
      // above the plain interval there is nothing to back off from.
      if eager < .milliseconds(100) || eager > reconnectInterval {
        problems.append(
          "eager reconnect interval must be 100 ms to the reconnect interval (\(reconnectInterval)); is \(eager)"
        )
      }
    }
    if reconnectBackoff < .seconds(1) {
      problems.append("reconnect backoff must be at least 1 s (is \(reconnectBackoff))")
    }
    if !(1...64).contains(reconnectsInFlightLimit) {
      problems.append(
        "reconnects in flight limit must be 1 to 64 (is \(reconnectsInFlightLimit))")
    }
    if !(1...1_048_576).contains(lostMemberLimit) {
      problems.append("lost member limit must be 1 to 1048576 (is \(lostMemberLimit))")
    }
    if reapInterval <= .zero {
      problems.append("reap interval must be above zero (is \(reapInterval))")
    }
    if !(1...1_000_000).contains(intentBufferLimit) {
      problems.append("intent buffer limit must be 1 to 1000000 (is \(intentBufferLimit))")
    }
    // A Go Serf decodes any length, but rings of other sizes than its own
    // only waste bytes; 0 would make the push-pull carry no ring at all.
    if !(1...65_536).contains(eventBufferSize) {
      problems.append("event buffer size must be 1 to 65536 (is \(eventBufferSize))")
    }
    if !(1...65_536).contains(queryBufferSize) {
      problems.append("query buffer size must be 1 to 65536 (is \(queryBufferSize))")
    }
    if !(1...65_536).contains(queryResponseSizeLimit) {
      problems.append(
        "query response size limit must be 1 to 65536 bytes (is \(queryResponseSizeLimit))")
    }
    if !(1...9 * 1024).contains(userEventSizeLimit) {
      problems.append("user event size limit must be 1 to 9216 bytes (is \(userEventSizeLimit))")
    }
    do {
      try coordinates?.validate()
    } catch {
      problems += error.problems
    }
    if !problems.isEmpty { throw SettingsError(problems: problems) }
  }
}
