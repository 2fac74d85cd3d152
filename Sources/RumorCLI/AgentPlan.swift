import CommandLineSupport
import Rumor

/// What `rumor agent` will run: its flags laid over the effective
/// configuration (environment over file over the mode's defaults).
struct AgentPlan {
  /// The node to start.
  var node: NodeConfiguration
  /// Seeds someone asked for (a flag, variable or file), at least one of
  /// which must answer, and the mode's conventional seeds, tried quietly;
  /// all again while alone.
  var seeds: JoinSeeds
  /// The deployment mode in effect.
  var mode: DeploymentMode

  /// The plan for a parsed `rumor agent` command line.
  init(_ parsed: ArgumentList, command: String) throws(CommandError) {
    let effective = try PeerOptions.configuration(parsed)
    let gossip = effective.gossip
    mode = effective.mode
    let name = try parsed.value("name") ?? gossip.nodeName
    guard !name.isEmpty else { throw .usage("--name must not be empty", command: command) }
    node = NodeConfiguration(name: name)
    node.bind = try Self.address(
      parsed.value("bind"), or: gossip.bind, option: "bind", key: "gossip.bind",
      origins: effective.origins, command: command)
    if let advertise = try parsed.value("advertise") {
      let address = try NodeOptions.address(advertise, option: "advertise", command: command)
      do {
        _ = try HostAndPort(advertising: address.description)
      } catch {
        throw .usage("--advertise: \(error.reason)", command: command)
      }
      node.advertise = address
    } else if let advertise = gossip.advertise {
      node.advertise = try Self.address(
        nil, or: advertise, option: "advertise", key: "gossip.advertise",
        origins: effective.origins, command: command)
    }
    let profile = try parsed.value("profile").map { text throws(CommandError) in
      try NodeOptions.profile(text, command: command)
    }
    let (preset, policies) = try NodeOptions.policies(
      parsed, preset: gossip.preset, configured: gossip.policies, command: command)
    node.settings = SWIMSettings(profile: profile ?? gossip.profile, preset: preset)
    node.settings.policies = policies
    if let text = try parsed.value("suspicion-multiplier") {
      guard let multiplier = Int(text), (1...64).contains(multiplier) else {
        throw .usage(
          "--suspicion-multiplier wants a whole number from 1 to 64, not '\(text)'",
          command: command)
      }
      node.settings.suspicionMultiplier = multiplier
    }
    node.tags = try NodeOptions.tags(parsed.values("tag"), command: command)
    let flagKeys = try NodeOptions.keys(parsed.values("encrypt"), command: command)
    node.keys = flagKeys.isEmpty ? gossip.encryptionKeys : flagKeys
    node.label = try parsed.value("label") ?? gossip.label
    node.keyringFile = try parsed.value("keyring-file") ?? gossip.keyringFile
    node.services = try Self.services(
      gossip.advertised, flags: parsed.values("service"), command: command)

    let flagSeeds = parsed.values("join")
    seeds = flagSeeds.isEmpty ? JoinSeeds(effective) : JoinSeeds(configured: flagSeeds)
    seeds.mustAnswer = true
  }

  /// The configuration's services, then `--service NAME=URL` flags, a
  /// flag replacing a service of its name: it keeps that service's
  /// configured check (as RUMOR_SERVICES does), else gets the standard
  /// one for its name and scheme.
  private static func services(
    _ configured: [AdvertisedService], flags: [String], command: String
  ) throws(CommandError) -> [AdvertisedService] {
    var services = configured
    for text in flags {
      let parsed: [AdvertisedService]
      do {
        parsed = try EnvironmentOverrides.advertisedServices(text)
      } catch {
        throw .usage("--service: \(error.reason)", command: command)
      }
      for var service in parsed {
        service.check =
          configured.first { $0.name == service.name }?.check
          ?? HealthCheck.standard(forService: service.name, url: service.url)
        services.removeAll { $0.name == service.name }
        services.append(service)
      }
    }
    return services
  }

  /// A numeric address from the flag, else from the configuration (whose
  /// errors name the key and where its value came from).
  private static func address(
    _ flag: String?, or configured: HostAndPort, option: String, key: String,
    origins: [String: ValueOrigin], command: String
  ) throws(CommandError) -> NodeAddress {
    if let flag { return try NodeOptions.address(flag, option: option, command: command) }
    do {
      return try NodeOptions.address(configured.description, option: option, command: command)
    } catch {
      let origin = origins[key].map { " (\($0))" } ?? ""
      throw .failure(
        "\(key) = \(configured)\(origin) is not a numeric address; a node binds and advertises IP addresses"
      )
    }
  }
}
