import CommandLineSupport
import FoundationEssentials
import Rumor
import RumorWire

/// Parsing shared by the commands that start or talk to nodes.
enum NodeOptions {
  /// Keys given as base64 (`--encrypt`), checked.
  static func keys(_ texts: [String], command: String) throws(CommandError) -> [[UInt8]] {
    guard
      let keyring = try KeyParsing.keyring(fromBase64: texts, option: "encrypt", command: command)
    else {
      return []
    }
    return keyring.keys
  }

  /// `--tag KEY=VALUE` values.
  static func tags(_ texts: [String], command: String) throws(CommandError) -> [String: String] {
    var tags: [String: String] = [:]
    for text in texts {
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw .usage("--tag wants KEY=VALUE, not '\(text)'", command: command)
      }
      tags[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    return tags
  }

  /// `--preset` and one option per policy (`PolicySetting.option`): a
  /// switch for those that are on or off, a value for the others.
  static let policyOptions: [ArgumentList.Option] =
    [ArgumentList.Option(name: "preset", takesValue: true)]
    + PolicySetting.allCases.map { setting in
      setting.isBoolean
        ? ArgumentList.Option.toggle(setting.option)
        : ArgumentList.Option(name: setting.option, takesValue: true)
    }

  /// The policies the command line asks for: `--preset`'s (else
  /// `preset`'s, from the configuration), with each policy option applied
  /// over them, else `configured`'s value for it. Returns the preset too.
  static func policies(
    _ parsed: ArgumentList, preset configuredPreset: Preset, configured: Policies,
    command: String
  ) throws(CommandError) -> (Preset, Policies) {
    var preset = configuredPreset
    var policies = configured
    if let text = try parsed.value("preset") {
      guard let chosen = Preset(rawValue: text) else {
        throw .usage("--preset must be memberlist or rumor (not '\(text)')", command: command)
      }
      preset = chosen
      policies = Policies(preset: chosen)
    }
    for setting in PolicySetting.allCases {
      if setting.isBoolean {
        // The switch parsed its own true/false.
        if let on = parsed.toggle(setting.option) { setting.apply(.enabled(on), to: &policies) }
        continue
      }
      guard let text = try parsed.value(setting.option) else { continue }
      do {
        setting.apply(try setting.parse(text), to: &policies)
      } catch {
        throw .usage("--\(setting.option): \(error.reason)", command: command)
      }
    }
    return (preset, policies)
  }

  /// The help lines of `--preset` and the policy options, for the commands
  /// that start nodes.
  static let policyHelp = """
      --preset P            memberlist or rumor (default): which of Rumor's
                            failure-detection policies are on; memberlist gives
                            memberlist's behaviour exactly (docs/configuration.md,
                            "Policies"; the evidence: docs/simulation.md, "Presets").
                            Each policy below overrides the preset's value:
      --fast-crash-detection[=false]
                            a ping answered by "port unreachable" or a refused
                            connection means the process is gone: dead at once
      --guarded-accusations[=false]
                            an unconfirmed suspicion is checked again before it
                            becomes a death, so a node cut off accuses nobody
      --flap-quarantine S|off
                            keep a member that fails again soon after a failure
                            out for S, doubling each time (off in both presets)
      --stand-down S|off    a node whose own health has been at its worst for S
                            stops accusing and refuting until healthy (rumor: 30s)
      --join-follow-up-syncs N
                            full-state exchanges after a join, 0 to 16 (rumor: 3)
      --early-first-push-pull[=false]
                            the first periodic full-state exchange within the first
                            30 s, not after a stagger and a whole (scaled) interval
      --quiet-merges[=false]
                            members learned from a full-state exchange are not
                            gossiped on (but a joiner's and a small join reply's)
      --direct-announcements[=false]
                            joins and leaves announced at once, and straight to
                            every member (joins: up to 64 members)
      --late-nacks[=false]  a helper's nack that comes after its failed probe was
                            judged still counts for this node's health
    """

  /// `--profile lan|wan|local`.
  static func profile(_ text: String?, command: String) throws(CommandError) -> Profile {
    guard let text else { return .lan }
    guard let profile = Profile(rawValue: text) else {
      throw .usage("--profile must be lan, wan or local (not '\(text)')", command: command)
    }
    return profile
  }

  /// A numeric host:port (`--bind`, `--advertise`).
  static func address(_ text: String, option: String, command: String) throws(CommandError)
    -> NodeAddress
  {
    do {
      let (host, port) = try AddressResolver.split(text, defaultPort: 7946)
      let bytes = host == "localhost" ? [127, 0, 0, 1] : IPAddress.parse(host)
      guard let bytes, let address = NodeAddress(ip: bytes, port: port) else {
        throw TransportError("'\(host)' is not a numeric IPv4 or IPv6 address")
      }
      return address
    } catch {
      throw .usage("--\(option): \(error)", command: command)
    }
  }

  /// A positive number of seconds.
  static func seconds(_ text: String?, option: String, command: String) throws(CommandError)
    -> Double?
  {
    guard let text else { return nil }
    guard let value = Double(text), value > 0, value <= 86_400 else {
      throw .usage(
        "--\(option) must be a number of seconds above 0, at most 86400 (a day) (not '\(text)')",
        command: command)
    }
    return value
  }

  /// The `--option` flag of `parsed` in seconds (above 0, at most a day)
  /// as a duration, to the millisecond; nil when it is not given.
  static func duration(_ parsed: ArgumentList, _ option: String, command: String)
    throws(CommandError) -> Duration?
  {
    try seconds(parsed.value(option), option: option, command: command).map {
      .milliseconds(Int64(($0 * 1000).rounded()))
    }
  }
}
