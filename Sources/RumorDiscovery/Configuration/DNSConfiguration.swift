/// The `dns:` section: the agent's DNS interface (`rumor agent --dns`).
/// Off unless an address is given.
///
/// ```yaml
/// dns:
///   address: 127.0.0.1:8600   # or "off"
///   domain: rumor.            # the default
///   ttl: 0                    # seconds, the default
/// ```
public struct DNSConfiguration: Hashable, Sendable {
  /// Where to answer, UDP and TCP; nil when unset, `.off` when turned off
  /// explicitly.
  public var address: Setting?
  /// The domain answered for (`rumor.` by default).
  public var domain: String?
  /// The TTL of every answer, in seconds (0 by default).
  public var ttl: UInt32?

  /// The default domain.
  public static let defaultDomain = "rumor."

  /// An address, or off.
  public enum Setting: Hashable, Sendable, CustomStringConvertible {
    /// No DNS server.
    case off
    /// A server on this numeric address.
    case on(HostAndPort)

    /// The address, or "off".
    public var description: String {
      switch self {
      case .off: "off"
      case .on(let address): address.description
      }
    }
  }

  /// An empty section.
  public init(address: Setting? = nil, domain: String? = nil, ttl: UInt32? = nil) {
    self.address = address
    self.domain = domain
    self.ttl = ttl
  }

  /// `dns.address` / `RUMOR_DNS` / `--dns`: "off", or a numeric
  /// `HOST:PORT` (no default port: DNS's 53 needs privileges).
  public static func parseAddress(_ text: String) throws(InvalidValue) -> Setting {
    if text == "off" { return .off }
    guard text.contains(":") else {
      throw InvalidValue("'\(text)' has no port; give HOST:PORT, e.g. 127.0.0.1:8600, or 'off'")
    }
    return .on(try ConfigurationDecoder.numericAddress(text, allowsPortZero: true))
  }

  /// `dns.domain` / `RUMOR_DNS_DOMAIN` / `--dns-domain`: a domain name,
  /// the final dot optional; returned with it.
  public static func parseDomain(_ text: String) throws(InvalidValue) -> String {
    let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
    do {
      try HostName.validateDomain(trimmed)
    } catch {
      // Quote the value as written, final dot included.
      throw InvalidValue(error.reason.replacing("'\(trimmed)'", with: "'\(text)'"))
    }
    return trimmed + "."
  }

  /// `dns.ttl`: whole seconds, at most a day.
  public static func parseTTL(_ text: String) throws(InvalidValue) -> UInt32 {
    UInt32(try ConfigurationDecoder.count(text, in: 0...86_400, what: "TTL in seconds"))
  }
}
