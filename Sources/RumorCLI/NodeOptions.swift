import CommandLineSupport
import FoundationEssentials
import Rumor
import RumorWire

/// Parsing shared by the commands that start or talk to nodes.
enum NodeOptions {
  /// Keys given as base64 (`--encrypt`), checked.
  static func keys(_ texts: [String]) throws(CommandError) -> [[UInt8]] {
    guard let keyring = try KeyParsing.keyring(fromBase64: texts, option: "encrypt") else {
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
        "--\(option) must be a number of seconds above 0 (not '\(text)')", command: command)
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
