import CommandLineSupport
import Rumor

/// The options of commands that read a running node's view of the cluster
/// (`--peer`, `--encrypt`, `--label`, `--timeout`), and the read itself.
enum PeerOptions {
  /// The options, for `ArgumentList`.
  static let options: [ArgumentList.Option] = [
    .init(name: "peer", takesValue: true), .init(name: "encrypt", takesValue: true),
    .init(name: "label", takesValue: true), .init(name: "timeout", takesValue: true),
  ]

  /// Their lines in a command's help.
  static let help = """
      --peer HOST:PORT   the node to ask (a Rumor or Serf agent); a name is resolved
      --encrypt KEY      the cluster's key, if it is encrypted (serf keygen format);
                         default: RUMOR_ENCRYPT, else the configuration file's
                         (prefer those: a flag is visible to every user in ps)
      --label LABEL      the cluster's label, if it has one; default: RUMOR_LABEL,
                         else the configuration file's
      --timeout SECONDS  how long to wait for the answer (default 5)
    """

  /// Where and how to reach the `--peer` node: its address, the
  /// cluster's keys and label, and how long to wait.
  struct Target {
    var peer: NodeAddress
    var keys: [[UInt8]]
    var label: String
    var timeout: Double
  }

  /// The `--peer` node and the options to reach it, resolved; nil when
  /// `--peer` is absent. `defaultTimeout` is in seconds.
  static func target(_ parsed: ArgumentList, command: String, defaultTimeout: Double = 5)
    async throws(CommandError) -> Target?
  {
    guard let peerText = try parsed.value("peer") else { return nil }
    // The other ways to ask would be ignored without a word.
    if try parsed.value("agent") != nil {
      throw .usage("--agent and --peer are two ways to ask: give one", command: command)
    }
    if parsed.flag("no-agent") {
      throw .usage(
        "--no-agent and --peer: give one (--peer resolves here from that node's gossip view, --no-agent without any)",
        command: command)
    }
    let timeout =
      try NodeOptions.seconds(try parsed.value("timeout"), option: "timeout", command: command)
      ?? defaultTimeout
    var keys = try NodeOptions.keys(parsed.values("encrypt"), command: command)
    var label = try parsed.value("label")
    if parsed.values("encrypt").isEmpty || label == nil {
      // Like the agent: what the flags leave out comes from the
      // environment and the file, so that a query run beside an agent
      // speaks its cluster's key and label without repeating them.
      let gossip = try configuration(parsed).gossip
      if parsed.values("encrypt").isEmpty { keys = gossip.encryptionKeys }
      label = label ?? gossip.label
    }
    do {
      _ = try AddressResolver.split(peerText, defaultPort: 7946)
    } catch {
      throw .usage("--peer: \(error)", command: command)
    }
    do {
      guard let peer = try await AddressResolver.resolve(peerText, defaultPort: 7946).first else {
        throw TransportError("'\(peerText)' resolves to nothing")
      }
      return Target(peer: peer, keys: keys, label: label ?? "", timeout: timeout)
    } catch {
      throw .failure("\(error)")
    }
  }

  /// The members the `--peer` node knows (read-only: it learns nothing
  /// and nothing joins); nil when `--peer` is absent.
  static func members(_ parsed: ArgumentList, command: String) async throws(CommandError)
    -> [Member]?
  {
    guard let target = try await target(parsed, command: command) else { return nil }
    do {
      return try await PeerQuery.members(
        of: target.peer, keys: target.keys, label: target.label,
        timeout: .milliseconds(Int64(target.timeout * 1000)))
    } catch {
      throw .failure("\(error)")
    }
  }

  /// The effective configuration for `--config FILE` (else `RUMOR_CONFIG`,
  /// else none) under this process's environment; its errors, with their
  /// positions, make the command fail.
  static func configuration(_ parsed: ArgumentList) throws(CommandError) -> EffectiveConfiguration {
    do {
      return try EffectiveConfiguration.current(file: try parsed.value("config"))
    } catch let error as CommandError {
      throw error
    } catch {
      throw .failure("invalid configuration:\n\(error)")
    }
  }
}
