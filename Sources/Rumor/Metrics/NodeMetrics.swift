import RumorCore
import RumorDiscovery

/// A running node's metrics in Prometheus's text format 0.0.4, for the
/// agent's `GET /metrics` (served with `PrometheusText.contentType`).
///
/// Reads only published snapshots and counters (the member list, the
/// node's and its TCP listener's counters, the advertised services'
/// statuses), so rendering never waits on the protocol thread. With a
/// `registry`, the circuit breakers of the catalog's instances (counts by
/// state, and each one that recorded a failure); with
/// `dns`, the DNS interface's counters.
///
/// With a `registry`, also its answers by source (`resolutionCounts`).
public func prometheusText(
  node: RumorNode, registry: ServiceRegistry? = nil, dns: DNSServerCounters? = nil,
  http: HTTPServerCounters? = nil
) -> String {
  var metrics = PrometheusText()
  NodeMetrics.addSnapshot(node.metrics, to: &metrics)
  NodeMetrics.addServices(node.advertisedServices, to: &metrics)
  if let registry {
    NodeMetrics.addBreakers(registry, to: &metrics)
    NodeMetrics.addResolutions(registry, to: &metrics)
  }
  if let dns { NodeMetrics.addDNS(dns, to: &metrics) }
  if let http { NodeMetrics.addHTTP(http, to: &metrics) }
  return metrics.text
}

/// The parts of `prometheusText(node:registry:dns:http:)`, one per source.
enum NodeMetrics {
  static func addHTTP(_ counters: HTTPServerCounters, to metrics: inout PrometheusText) {
    metrics.add(
      "rumor_http_requests_total", .counter, help: "HTTP API requests answered (any status).",
      counters.requests)
    metrics.add(
      "rumor_http_connections_total", .counter, help: "HTTP API connections accepted.",
      counters.connections)
    metrics.add(
      "rumor_http_refused_total", .counter,
      help: "HTTP API requests and connections refused or cut short, by reason.",
      [
        .init([("reason", "malformed")], counters.malformed),
        .init([("reason", "oversized")], counters.oversized),
        .init([("reason", "busy")], counters.refusedBusy),
        .init([("reason", "evicted")], counters.evicted),
        .init([("reason", "idle")], counters.idleClosed),
        .init([("reason", "request_timeout")], counters.requestTimeouts),
        .init([("reason", "reply_cut")], counters.repliesCut),
        .init([("reason", "parked_limit")], counters.refusedParked),
        .init([("reason", "slow_stream")], counters.slowStreamsDropped),
        .init([("reason", "answer_timeout")], counters.laterTimeouts),
      ])
  }

  static func addResolutions(_ registry: ServiceRegistry, to metrics: inout PrometheusText) {
    let counts = registry.resolutionCounts
    metrics.add(
      "rumor_resolutions_total", .counter,
      help: "Answers this process's registry gave, by the step that answered (none: an error).",
      [ResolutionSource.environment, .gossip, .configuration, .convention].map {
        PrometheusText.Sample([("source", $0.rawValue)], counts.answered[$0] ?? 0)
      } + [PrometheusText.Sample([("source", "none")], counts.unanswered)])
  }

  /// The node's own families, from `MetricsSnapshot.samples`: the one
  /// list of names, help texts and labels, so that `RumorNode.metrics`
  /// and `/metrics` cannot disagree (samples of one name join one family).
  static func addSnapshot(_ snapshot: MetricsSnapshot, to metrics: inout PrometheusText) {
    for sample in snapshot.samples {
      let labels = sample.labels.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
      metrics.add(
        sample.name, sample.kind == .counter ? .counter : .gauge, help: sample.help,
        [PrometheusText.Sample(labels, sample.value)])
    }
  }

  static func addServices(
    _ statuses: [AdvertisedServiceStatus], to metrics: inout PrometheusText
  ) {
    var samples: [PrometheusText.Sample] = []
    for status in statuses {
      for health in [ServiceHealth.passing, .warning, .critical] {
        samples.append(
          .init(
            [("service", status.service.name), ("health", health.rawValue)],
            status.health == health ? 1 : 0))
      }
    }
    metrics.add(
      "rumor_service_health", .gauge,
      help: "Health of each service this node advertises: 1 for its current status.", samples)
  }

  static func addBreakers(_ registry: ServiceRegistry, to metrics: inout PrometheusText) {
    let now = Timestamp(nanoseconds: BlockingExchange.monotonicNanoseconds())
    var samples: [PrometheusText.Sample] = []
    var totals: [CircuitBreaker.State: Int] = [:]
    for (service, instances) in registry.catalog.instances.sorted(by: { $0.key < $1.key }) {
      for instance in instances {
        let breaker = registry.breaker(for: instance.url)
        let state = breaker.state(at: now)
        totals[state, default: 0] += 1
        // Per instance only for breakers that saw a failure: a cluster of
        // thousands of healthy instances would otherwise print thousands
        // of closed breakers.
        guard state != .closed || breaker.consecutiveFailures > 0 else { continue }
        for candidate in [CircuitBreaker.State.closed, .open, .halfOpen] {
          samples.append(
            .init(
              [("service", service), ("node", instance.node), ("state", candidate.rawValue)],
              state == candidate ? 1 : 0))
        }
      }
    }
    metrics.add(
      "rumor_circuit_breakers", .gauge,
      help: "Circuit breakers of the gossiped service instances, by state.",
      [CircuitBreaker.State.closed, .open, .halfOpen].map {
        .init([("state", $0.rawValue)], totals[$0] ?? 0)
      })
    metrics.add(
      "rumor_circuit_breaker_state", .gauge,
      help: "Breakers of instances with failures recorded: 1 for the current state.",
      samples)
  }

  static func addDNS(_ counters: DNSServerCounters, to metrics: inout PrometheusText) {
    metrics.add(
      "rumor_dns_queries_total", .counter, help: "DNS queries received, by transport.",
      [
        .init([("transport", "udp")], counters.udpQueries),
        .init([("transport", "tcp")], counters.tcpQueries),
      ])
    metrics.add(
      "rumor_dns_responses_total", .counter, help: "DNS responses sent, by response code.",
      DNSResponseCode.allCases.map {
        .init([("rcode", $0.word)], counters.responses[$0.word] ?? 0)
      })
    metrics.add(
      "rumor_dns_truncated_total", .counter, help: "UDP responses cut to fit, with TC set.",
      counters.truncated)
    var dropped = DNSDecodeError.allCases.map {
      PrometheusText.Sample([("reason", $0.kind)], counters.malformed[$0.kind] ?? 0)
    }
    dropped.append(.init([("reason", "response")], counters.unsolicitedResponses))
    dropped.append(.init([("reason", "send_failed")], counters.sendFailures))
    dropped.append(.init([("reason", "client_unreachable")], counters.unreachableClients))
    metrics.add(
      "rumor_dns_dropped_total", .counter, help: "DNS messages dropped unanswered, by reason.",
      dropped)
    metrics.add(
      "rumor_dns_tcp_connections_total", .counter,
      help: "DNS TCP connections: accepted, evicted, timed out, reply cut.",
      [
        .init([("event", "accepted")], counters.tcpConnections),
        .init([("event", "evicted")], counters.tcpEvicted),
        .init([("event", "timeout")], counters.tcpTimeouts),
        .init([("event", "reply_cut")], counters.tcpRepliesCut),
      ])
  }
}
