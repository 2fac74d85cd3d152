/// How the node that runs a service checks it, locally, before gossiping
/// `health.<name>` (Consul's check model, reduced to what the brief needs).
public struct HealthCheck: Hashable, Sendable {
  /// What a check does.
  public enum Kind: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// `GET path`; a 2xx answer passes.
    case http
    /// A TCP connection to the port; connecting passes.
    case tcp
    /// A Redis `PING`; `PONG` passes (the brief's "ping response").
    case redis
    /// Consul's TTL check: the application renews it (`RumorNode.renew`)
    /// at least once per `ttl`; a check not renewed in time is
    /// `critical`. Nothing is probed.
    case ttl
    /// A Swift closure the application gives when it advertises the
    /// service (`RumorNode.advertise(_:check:)`), run on the check's
    /// schedule with its timeout. Not available in files.
    case closure

    /// The spelling in files.
    public var description: String { rawValue }
  }

  /// Every ten seconds: a dead service is noticed within half a minute
  /// (with three failures), and the check costs nothing.
  public static let defaultInterval: Duration = .seconds(10)
  /// Two seconds: a health endpoint slower than that is itself unwell.
  public static let defaultTimeout: Duration = .seconds(2)
  /// Thirty seconds, the TTL Consul's documentation uses: an application
  /// that renews every ten seconds survives two missed renewals.
  public static let defaultTTL: Duration = .seconds(30)
  /// Three failures before `critical`: one lost packet or a GC pause is
  /// not an outage (Consul added the same setting against flapping).
  public static let defaultFailuresBeforeCritical = 3
  /// One success back to `passing`: the resolver's circuit breaker already
  /// tries a recovered instance carefully, so the check need not wait.
  public static let defaultSuccessesBeforePassing = 1

  /// What the check does.
  public var kind: Kind
  /// The HTTP path to request (`http` only), starting with `/`.
  public var path: String
  /// How often to check.
  public var interval: Duration
  /// How long one check may take; less than `interval`.
  public var timeout: Duration
  /// Consecutive failures before the service is `critical`.
  public var failuresBeforeCritical: Int
  /// Consecutive successes before a critical service is `passing` again.
  public var successesBeforePassing: Int
  /// How long a renewal holds (`ttl` only): not renewed within it, the
  /// service is `critical`.
  public var ttl: Duration

  /// Creates a check; the defaults are those above, and `/` for the path.
  public init(
    kind: Kind, path: String = "/", interval: Duration = defaultInterval,
    timeout: Duration = defaultTimeout, failuresBeforeCritical: Int = defaultFailuresBeforeCritical,
    successesBeforePassing: Int = defaultSuccessesBeforePassing, ttl: Duration = defaultTTL
  ) {
    self.kind = kind
    self.path = path
    self.interval = interval
    self.timeout = timeout
    self.failuresBeforeCritical = failuresBeforeCritical
    self.successesBeforePassing = successesBeforePassing
    self.ttl = ttl
  }

  /// A TTL check: `critical` unless renewed within `ttl`.
  public static func ttl(_ ttl: Duration) -> HealthCheck {
    HealthCheck(kind: .ttl, ttl: ttl)
  }

  /// The check an advertised service gets without a `check:`, and the
  /// base that a `check:` changes: Redis is pinged, HTTP services are
  /// asked for their known health path (or `/`), anything else gets a TCP
  /// connect. That includes `https` and `rediss`: the probes speak no TLS
  /// (the only cryptography Rumor links is AES-GCM), and a plaintext
  /// request to a TLS port would fail every check.
  public static func standard(forService name: String, url: ServiceURL) -> HealthCheck {
    let known = KnownService.named(name)
    switch url.scheme {
    case "redis": return HealthCheck(kind: .redis)
    case "http": return HealthCheck(kind: .http, path: known?.healthPath ?? "/")
    default: return HealthCheck(kind: .tcp)
    }
  }

  /// One line for summaries: `http /health every 10s (timeout 2s, 3 failures)`,
  /// or `ttl 30s (critical unless renewed)`.
  public var summary: String {
    if kind == .ttl { return "ttl \(DurationText.format(ttl)) (critical unless renewed)" }
    let what = kind == .http ? "http \(path)" : kind.rawValue
    return
      "\(what) every \(DurationText.format(interval)) (timeout \(DurationText.format(timeout)), critical after \(failuresBeforeCritical), passing after \(successesBeforePassing))"
  }
}
