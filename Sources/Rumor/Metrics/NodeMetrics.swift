import RumorCore

/// A snapshot of everything a node counts, for a metrics system: its
/// traffic and protocol counters, what its TCP listener refused, and its
/// members by state. One call (`RumorNode.metrics`), no lock held after.
///
/// `samples` flattens it into named values (Prometheus-style names,
/// `rumor_<what>_total` for running totals), so a bridge to swift-metrics
/// is one loop on a timer (docs/guide.md, "Logs and metrics"):
///
/// ```swift
/// var last: [String: Int] = [:]
/// for sample in node.metrics.samples {
///   switch sample.kind {
///   case .counter:   // running totals: hand over the increase
///     Counter(label: sample.name).increment(by: sample.value - (last[sample.name] ?? 0))
///   case .gauge:
///     Gauge(label: sample.name).record(sample.value)
///   }
///   last[sample.name] = sample.value
/// }
/// ```
public struct NodeMetrics: Hashable, Sendable {
  /// One named value.
  public struct Sample: Hashable, Sendable {
    /// Whether a value only grows (a running total) or goes up and down.
    public enum Kind: Hashable, Sendable {
      /// A running total since the node started; never decreases.
      case counter
      /// A current value.
      case gauge
    }

    /// The metric's name, e.g. `rumor_packets_received_total`.
    public var name: String
    /// What it counts, in one line (Prometheus's HELP).
    public var help: String
    /// Counter or gauge.
    public var kind: Kind
    /// The value.
    public var value: Int
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

  /// Every value, named: counters end in `_total`; `rumor_members` is one
  /// gauge per state (`rumor_members_alive`, ...).
  public var samples: [Sample] {
    let c = counters
    let s = inboundStreams
    let totals: [(String, String, Int)] = [
      ("packets_sent", "UDP datagrams sent", c.packetsSent),
      ("bytes_sent", "bytes of UDP datagrams sent", c.bytesSent),
      ("packets_received", "UDP datagrams received", c.packetsReceived),
      ("bytes_received", "bytes of UDP datagrams received", c.bytesReceived),
      ("decode_errors", "datagrams or parts dropped because they did not decode", c.decodeErrors),
      ("packets_over_limits", "datagrams cut short at a per-datagram limit", c.packetsOverLimits),
      ("streams_opened", "TCP streams opened", c.streamsOpened),
      ("streams_answered", "TCP streams accepted and answered", c.streamsAnswered),
      ("probes", "probes started", c.probes),
      ("failed_probes", "probes that ended without any ack", c.failedProbes),
      ("indirect_probes", "probes that asked other members to ping", c.indirectProbes),
      ("suspicions_raised", "suspicions this node raised", c.suspicionsRaised),
      ("refutations", "claims about this node it refuted", c.refutations),
      ("members_refused", "new members refused at the member limit", c.membersRefused),
      (
        "implausible_incarnations", "news dropped for an implausible incarnation",
        c.implausibleIncarnations
      ),
      ("relays_refused", "indirect probe requests refused at the relay limit", c.relaysRefused),
      (
        "inbound_streams_refused_busy", "connections refused: too many open streams",
        s.refusedBusy
      ),
      (
        "inbound_streams_refused_per_source", "connections refused: too many from one source",
        s.refusedPerSource
      ),
      ("inbound_streams_timeouts", "inbound streams timed out", s.firstBytesTimeouts + s.timeouts),
      ("inbound_streams_oversized", "inbound streams over the size limit", s.oversized),
      (
        "inbound_streams_over_budget", "inbound streams over the total buffer budget",
        s.overBudget
      ),
      ("inbound_streams_unframed", "inbound streams that did not decode", s.unframed),
      ("inbound_replies_cut", "replies cut by a peer's reset", s.repliesCut),
    ]
    var samples = totals.map { name, help, value in
      Sample(name: "rumor_\(name)_total", help: help, kind: .counter, value: value)
    }
    samples.append(
      Sample(
        name: "rumor_largest_packet_bytes", help: "the largest datagram sent", kind: .gauge,
        value: c.largestPacket))
    for state in MemberState.allCases {
      samples.append(
        Sample(
          name: "rumor_members_\(state)", help: "members this node sees \(state)", kind: .gauge,
          value: members[state] ?? 0))
    }
    return samples
  }
}
