import RumorCore

/// What a node tells its log handler on its own: each membership event,
/// a summary of refused traffic at most once per `summaryInterval`, and
/// its event loop stopping on its own. Runs as tasks off the protocol
/// thread, only when a handler wants the level.
enum NodeActivityLog {
  /// How often refused traffic is summed up: often enough to notice an
  /// attack or a misconfigured peer, rarely enough that a flood of bad
  /// packets is one line a minute, not one a packet.
  static let summaryInterval: Duration = .seconds(60)

  /// Starts the tasks that log `mailbox`'s activity; none when the
  /// logger is silent.
  static func start(
    mailbox: NodeMailbox, logger: NodeLogger, summaryInterval: Duration = summaryInterval
  ) -> [Task<Void, Never>] {
    var tasks: [Task<Void, Never>] = []
    if logger.enabled(.info) || logger.enabled(.error) {
      // Subscribed now, not inside the task, so that no event published
      // after `start` returns is missed.
      let events = mailbox.subscribe()
      tasks.append(
        Task {
          for await event in events {
            logger.log(.info, message(for: event), metadata(for: event))
          }
          if let failure = mailbox.failure {
            logger.log(.error, "the node stopped on its own: \(failure)", ["event": "stopped"])
          }
        })
    }
    if logger.enabled(.warning) {
      tasks.append(
        Task {
          // From zero, not from the first reading: a node counts from
          // its start, and this task may first run after the first
          // refusals were counted.
          var last = TrafficRefusals(undecodable: 0, overLimits: 0, streams: 0)
          while !Task.isCancelled && !mailbox.isStopped {
            try? await Task.sleep(for: summaryInterval)
            guard !Task.isCancelled else { return }
            let now = TrafficRefusals(mailbox: mailbox)
            if let summary = now.summary(since: last, interval: summaryInterval) {
              logger.log(.warning, summary.message, summary.metadata)
            }
            last = now
          }
        })
    }
    return tasks
  }

  /// One membership event in words, e.g. `joined "web-1" 10.0.0.7:7946
  /// incarnation 3`. The name came from the network, so it is quoted and
  /// escaped: no name can end a log line or pass for another field.
  static func message(for event: MembershipEvent) -> String {
    let member = event.member
    return
      "\(event.verb) \(String(reflecting: member.name)) \(member.address) incarnation \(member.incarnation)"
  }

  /// The event's fields, for handlers that keep structured metadata.
  static func metadata(for event: MembershipEvent) -> [String: String] {
    [
      "event": event.verb, "member": event.member.name,
      "address": event.member.address.description,
      "incarnation": String(event.member.incarnation),
    ]
  }
}

/// The running totals of traffic a node refused: datagrams that did not
/// decode or broke a per-datagram limit, and inbound streams refused or
/// cut short.
struct TrafficRefusals: Equatable {
  var undecodable: Int
  var overLimits: Int
  var streams: Int
}

extension TrafficRefusals {
  /// The totals as of the mailbox's last snapshot.
  init(mailbox: NodeMailbox) {
    let counters = mailbox.counters
    undecodable = counters.decodeErrors
    overLimits = counters.packetsOverLimits
    streams = mailbox.inboundCounters.withLock { $0.total }
  }

  /// One line about what was refused since `earlier`, or nil when nothing
  /// was.
  func summary(since earlier: TrafficRefusals, interval: Duration) -> (
    message: String, metadata: [String: String]
  )? {
    let undecodable = max(0, self.undecodable - earlier.undecodable)
    let overLimits = max(0, self.overLimits - earlier.overLimits)
    let streams = max(0, self.streams - earlier.streams)
    guard undecodable + overLimits + streams > 0 else { return nil }
    return (
      "in the last \(interval.components.seconds) s: dropped \(undecodable) datagram(s) that did not decode and cut \(overLimits) at a limit, refused \(streams) inbound stream(s) (node.counters and node.inboundStreamCounters have the totals; docs/security.md explains the limits)",
      [
        "event": "refused-traffic", "undecodable": String(undecodable),
        "over_limits": String(overLimits), "streams_refused": String(streams),
      ]
    )
  }
}
