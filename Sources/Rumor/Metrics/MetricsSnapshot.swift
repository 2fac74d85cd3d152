import RumorCore

/// A snapshot of everything a node counts, for a metrics system: its
/// traffic and protocol counters, what its TCP listener refused, and its
/// members by state. One call (`RumorNode.metrics`), no lock held after.
///
/// `samples` flattens it into named, labelled values with the names and
/// labels of the agent's Prometheus endpoint (`prometheusText(node:)`),
/// so a bridge to swift-metrics is one loop on a timer (docs/guide.md,
/// "Logs and metrics"); counters are running totals, so it hands over the
/// increase:
///
/// ```swift
/// var last: [String: Int] = [:]
/// for sample in node.metrics.samples {
///   let dimensions = sample.labels.sorted { $0.key < $1.key }
///   switch sample.kind {
///   case .counter:
///     Counter(label: sample.name, dimensions: dimensions)
///       .increment(by: sample.value - (last[sample.key] ?? 0))
///   case .gauge:
///     Gauge(label: sample.name, dimensions: dimensions).record(sample.value)
///   }
///   last[sample.key] = sample.value
/// }
/// ```
public struct MetricsSnapshot: Hashable, Sendable {
  /// One named, labelled value.
  public struct Sample: Hashable, Sendable {
    /// Whether a value only grows (a running total) or goes up and down.
    public enum Kind: Hashable, Sendable {
      /// A running total since the node started; never decreases.
      case counter
      /// A current value.
      case gauge
    }

    /// The metric's name, e.g. `rumor_packets_total`.
    public var name: String
    /// Its labels, e.g. `["direction": "in"]`.
    public var labels: [String: String]
    /// What it counts, in one line (Prometheus's HELP).
    public var help: String
    /// Counter or gauge.
    public var kind: Kind
    /// The value.
    public var value: Int

    /// The name and labels as one text, `name{a="1",b="2"}`: unique per
    /// sample, for keeping the last value of each.
    public var key: String {
      labels.isEmpty
        ? name
        : name + "{"
          + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(
            separator: ",") + "}"
    }
  }

  /// The traffic and protocol counters.
  public var counters: NodeCounters
  /// What the TCP listener refused or cut short.
  public var inboundStreams: InboundStreamCounters
  /// How many members are in each state, this node included.
  public var members: [MemberState: Int]

  /// Creates a snapshot.
  public init(
    counters: NodeCounters, inboundStreams: InboundStreamCounters, members: [MemberState: Int]
  ) {
    self.counters = counters
    self.inboundStreams = inboundStreams
    self.members = members
  }

  /// Every value, named and labelled as the Prometheus endpoint has them.
  public var samples: [Sample] {
    let c = counters
    let s = inboundStreams
    var samples: [Sample] = []
    func add(
      _ name: String, _ kind: Sample.Kind, _ help: String, _ values: [([String: String], Int)]
    ) {
      for (labels, value) in values {
        samples.append(Sample(name: name, labels: labels, help: help, kind: kind, value: value))
      }
    }
    add(
      "rumor_members", .gauge, "Members this node knows, by status.",
      [MemberState.alive, .suspect, .dead, .left].map { (["status": "\($0)"], members[$0] ?? 0) })
    add("rumor_probes_total", .counter, "Probes started.", [([:], c.probes)])
    add("rumor_acks_total", .counter, "Acks received for probes.", [([:], c.acksReceived)])
    add(
      "rumor_nacks_total", .counter, "Nacks received from indirect probe helpers.",
      [([:], c.nacksReceived)])
    add("rumor_deaths_total", .counter, "Members this node saw fail.", [([:], c.deaths)])
    add(
      "rumor_probes_failed_total", .counter, "Probes that ended without any ack.",
      [([:], c.failedProbes)])
    add(
      "rumor_probes_indirect_total", .counter,
      "Probes that asked other members to ping the target.",
      [([:], c.indirectProbes)])
    add(
      "rumor_suspicions_total", .counter, "Suspicions this node raised itself.",
      [([:], c.suspicionsRaised)])
    add(
      "rumor_refutations_total", .counter, "Times this node refuted a claim about itself.",
      [([:], c.refutations)])
    add(
      "rumor_members_refused_total", .counter,
      "New members refused because the member limit was reached.", [([:], c.membersRefused)])
    add(
      "rumor_broadcasts_dropped_total", .counter,
      "Queued news dropped because it can never fit a packet.",
      [([:], c.oversizedBroadcastsDropped)])
    add(
      "rumor_relays_refused_total", .counter, "Indirect probe requests refused at the relay limit.",
      [([:], c.relaysRefused)])
    add(
      "rumor_accusations_held_total", .counter,
      "Suspicions held for a re-probe instead of a death (guarded accusations).",
      [([:], c.accusationsHeld)])
    add(
      "rumor_suspicion_checks_total", .counter,
      "Probes of a suspect another member accused, to check it (guarded accusations).",
      [([:], c.suspicionChecks)])
    add(
      "rumor_late_nacks_counted_total", .counter,
      "Nacks that came after their failed probe was judged and took a health point back (late nacks).",
      [([:], c.lateNacksCounted)])
    add(
      "rumor_stale_accusations_corrected_total", .counter,
      "Stale accusers sent the member's newer alive message (guarded accusations).",
      [([:], c.staleAccusationsCorrected)])
    add(
      "rumor_deaths_kept_local_total", .counter,
      "Deaths decided by this node's timer alone, kept out of the gossip (guarded accusations).",
      [([:], c.deathsKeptLocal)])
    add(
      "rumor_death_reminders_total", .counter,
      "Members told this node still holds them dead (guarded accusations).",
      [([:], c.deathReminders)])
    add(
      "rumor_broadcast_queue_depth", .gauge,
      "Messages waiting in the broadcast queues to be piggybacked.",
      [([:], c.broadcastQueueDepth)])
    add(
      "rumor_packets_total", .counter, "UDP datagrams, by direction.",
      [(["direction": "in"], c.packetsReceived), (["direction": "out"], c.packetsSent)])
    add(
      "rumor_packet_bytes_total", .counter, "Bytes of UDP datagrams, by direction.",
      [(["direction": "in"], c.bytesReceived), (["direction": "out"], c.bytesSent)])
    add(
      "rumor_decode_errors_total", .counter,
      "Received data dropped, by kind: did not decode, or cut at a per-datagram limit.",
      [
        (["kind": "malformed"], c.decodeErrors), (["kind": "over_limits"], c.packetsOverLimits),
        (["kind": "implausible_incarnation"], c.implausibleIncarnations),
      ])
    add(
      "rumor_tcp_streams_total", .counter,
      "TCP streams: opened by this node, and accepted and answered.",
      [(["kind": "opened"], c.streamsOpened), (["kind": "answered"], c.streamsAnswered)])
    add(
      "rumor_tcp_streams_dropped_total", .counter,
      "Inbound TCP streams refused or cut short, by reason.",
      [
        (["reason": "busy"], s.refusedBusy), (["reason": "per_source"], s.refusedPerSource),
        (["reason": "first_bytes_timeout"], s.firstBytesTimeouts),
        (["reason": "timeout"], s.timeouts), (["reason": "oversized"], s.oversized),
        (["reason": "over_budget"], s.overBudget), (["reason": "unframed"], s.unframed),
        (["reason": "reply_cut"], s.repliesCut),
      ])
    return samples
  }
}
