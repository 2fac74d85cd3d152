import CommandLineSupport
import Rumor

/// `rumor agent --dns HOST:PORT`: the agent's DNS interface, started
/// beside the node (its own thread; see `DNSServer`). Kept out of
/// AgentCommand.swift so that the agent's main flow stays short.
enum AgentDNS {
  /// The agent's options this adds.
  static let options = ["dns", "dns-domain"]

  /// The help lines of those options.
  static let help = """
      --dns HOST:PORT       answer DNS queries about the cluster there, UDP and TCP
                            (NAME.service.rumor., _NAME._tcp.service.rumor.,
                            NODE.node.rumor.; default $RUMOR_DNS or dns.address,
                            else off; 'off' turns it off)
      --dns-domain DOMAIN   the domain answered for (default rumor.)
    """

  /// Starts the DNS server when `--dns`, `RUMOR_DNS` or `dns.address`
  /// asks for one; nil when none does. `registry` is the agent's, when it
  /// has one (so that DNS and the HTTP API share round-robin cursors and
  /// circuit breakers); else one is made over the node.
  static func start(
    _ parsed: ArgumentList, node: RumorNode, registry: ServiceRegistry? = nil, command: String
  ) throws(CommandError) -> DNSServer? {
    let effective = try PeerOptions.configuration(parsed)
    var address = effective.dns.address?.description
    if let flag = try parsed.value("dns") {
      // The file's and the variable's rules: a port is required (a
      // default would be the gossip port or 53, which needs privileges).
      do {
        if case .on(let on) = try DNSConfiguration.parseAddress(flag) {
          address = on.description
        } else {
          address = nil
        }
      } catch {
        throw .usage("--dns: \(error.reason)", command: command)
      }
    }
    // The domain first, so that a bad one is refused even with DNS off.
    var domainText = effective.dns.domain
    if let flag = try parsed.value("dns-domain") {
      do {
        domainText = try DNSConfiguration.parseDomain(flag)
      } catch {
        throw .usage("--dns-domain: \(error.reason)", command: command)
      }
    }
    guard let address else { return nil }
    let bind = try NodeOptions.address(address, option: "dns", command: command)
    guard let domain = DNSName(domainText) else {
      throw .usage("--dns-domain: '\(domainText)' is not a domain name", command: command)
    }
    let registry = registry ?? ServiceRegistry(configuration: effective, node: node)
    let answerer = DNSAnswerer(
      domain: domain, ttl: effective.dns.ttl,
      directory: .live(registry: registry, node: node))
    do {
      return try DNSServer(bind: bind, answerer: answerer)
    } catch {
      // The socket layer's hint names the gossip flag.
      let reason = "\(error)".replacing("pick another with --bind", with: "pick another with --dns")
      throw .failure("cannot start the DNS server on \(address): \(reason)")
    }
  }
}
