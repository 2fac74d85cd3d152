import RumorWire

/// A host (DNS name or IP address) and a port: load-balancer members,
/// gossip seeds, bind and advertise addresses.
public struct HostAndPort: Hashable, Sendable, CustomStringConvertible {
  /// The host name or address (IPv6 without brackets).
  public var host: String
  /// The port.
  public var port: UInt16

  /// Creates a host and port.
  public init(host: String, port: UInt16) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port`, `[ipv6]:port`, or, when `defaultPort` is given,
  /// a host alone (a bare IPv6 address counts as a host alone). Port 0 is
  /// refused unless `allowsPortZero` (binding to any free port).
  public init(parsing text: String, defaultPort: UInt16? = nil, allowsPortZero: Bool = false)
    throws(InvalidValue)
  {
    let example = defaultPort == nil ? "HOST:PORT" : "HOST or HOST:PORT"
    var host = Substring(text)
    var portText: Substring?
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else {
        throw InvalidValue("'\(text)' opens '[' without closing it; write [IPV6]:PORT")
      }
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      if !rest.isEmpty {
        guard rest.hasPrefix(":") else {
          throw InvalidValue("'\(text)' has text after ']'; write [IPV6]:PORT")
        }
        portText = rest.dropFirst()
      }
    } else if let colon = text.lastIndex(of: ":") {
      if text[..<colon].contains(":") {
        // Several colons: an IPv6 address alone, or one missing brackets.
        guard HostName.isIPAddress(text) else {
          throw InvalidValue(
            "'\(text)' is not \(example); put an IPv6 address in brackets: [::1]:7946")
        }
      } else {
        host = text[..<colon]
        portText = text[text.index(after: colon)...]
      }
    }
    let port: UInt16
    if let portText {
      guard let number = UInt16(portText), number > 0 || allowsPortZero else {
        throw InvalidValue(
          "'\(portText)' in '\(text)' is not a port; use a whole number from \(allowsPortZero ? 0 : 1) to 65535"
        )
      }
      port = number
    } else if let defaultPort {
      port = defaultPort
    } else {
      throw InvalidValue("'\(text)' has no port; write \(example)")
    }
    do {
      try HostName.validate(String(host))
    } catch {
      throw InvalidValue("'\(text)' is not \(example): \(error.reason)")
    }
    self.init(host: String(host), port: port)
  }

  /// `host:port`, with brackets around an IPv6 address.
  public var description: String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  /// Whether the host is a numeric address rather than a name.
  public var isNumeric: Bool { HostName.isIPAddress(host) }

  /// Parses an address to give other members (`gossip.advertise`,
  /// `RUMOR_ADVERTISE`, `rumor agent --advertise`): a numeric address,
  /// port 7946 unless given (as Serf's `-advertise`), never port 0 nor the
  /// any-address (`0.0.0.0`, `::`), which can be bound but not reached.
  public init(advertising text: String) throws(InvalidValue) {
    self = try HostAndPort(parsing: text, defaultPort: 7946)
    guard isNumeric else {
      throw InvalidValue(
        "'\(text)' is not a numeric IP address; give the address other members reach this node at"
      )
    }
    guard IPAddress.parse(host)?.allSatisfy({ $0 == 0 }) != true else {
      throw InvalidValue(
        "'\(text)' is the any-address, which other members cannot reach; advertise the address they reach this node at, or leave it out (the bind address, or the machine's first private address when binding 0.0.0.0)"
      )
    }
  }
}
