/// Where the agent's HTTP API listens (`gossip.http`, `RUMOR_HTTP`,
/// `rumor agent --http`): a numeric address, or off.
public enum APIAddress: Hashable, Sendable, CustomStringConvertible {
  /// No HTTP API.
  case off
  /// Listening here (port 0 picks one).
  case at(HostAndPort)

  /// The API's port unless given: the one after memberlist's 7946.
  public static let defaultPort: UInt16 = 7947
  /// On by default, on loopback: only this machine can ask.
  public static let standard = APIAddress.at(HostAndPort(host: "127.0.0.1", port: defaultPort))

  /// `HOST:PORT`, `HOST` (port 7947) or `off`.
  public static func parse(_ text: String) throws(InvalidValue) -> APIAddress {
    if text == "off" { return .off }
    let address = try HostAndPort(parsing: text, defaultPort: defaultPort, allowsPortZero: true)
    guard address.isNumeric else {
      throw InvalidValue(
        "'\(text)' is not a numeric IP address nor 'off'; use 127.0.0.1:7947 for this machine only, 0.0.0.0:7947 for every interface"
      )
    }
    return .at(address)
  }

  /// `HOST:PORT` or `off`.
  public var description: String {
    switch self {
    case .off: "off"
    case .at(let address): address.description
    }
  }
}
