import RumorCore
import RumorDiscovery
import RumorWire

extension NodeConfiguration {
  /// The node an effective configuration describes: its name, bind and
  /// advertised addresses, profile, keys (and keyring file), label and
  /// the services it advertises with their checks. Throws when an address is a name: a
  /// node binds and advertises IP addresses (`localhost` is 127.0.0.1).
  public init(_ configuration: EffectiveConfiguration) throws(NodeConfigurationError) {
    let gossip = configuration.gossip
    self.init(name: gossip.nodeName)
    bind = try Self.numeric(gossip.bind, key: "gossip.bind", origins: configuration.origins)
    advertise = try gossip.advertise.map { address throws(NodeConfigurationError) in
      try Self.numeric(address, key: "gossip.advertise", origins: configuration.origins)
    }
    settings = SWIMSettings(profile: gossip.profile, preset: gossip.preset)
    settings.policies = gossip.policies
    keys = gossip.encryptionKeys
    keyringFile = gossip.keyringFile
    label = gossip.label
    services = gossip.advertised
  }

  /// `address` as a numeric address, or an error naming the key and
  /// where its value came from.
  static func numeric(
    _ address: HostAndPort, key: String, origins: [String: ValueOrigin]
  ) throws(NodeConfigurationError) -> NodeAddress {
    let bytes = address.host == "localhost" ? [127, 0, 0, 1] : IPAddress.parse(address.host)
    guard let bytes, let numeric = NodeAddress(ip: bytes, port: address.port) else {
      let origin = origins[key].map { " (\($0))" } ?? ""
      throw NodeConfigurationError(
        description:
          "\(key) = \(address)\(origin) is not a numeric address; a node binds and advertises IP addresses"
      )
    }
    return numeric
  }
}
