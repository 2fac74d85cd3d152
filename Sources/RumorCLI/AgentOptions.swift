import CommandLineSupport
import Rumor

/// How the commands that read the cluster reach the local agent's HTTP
/// API when `--peer` is not given: `--agent IP:PORT`, else
/// `RUMOR_AGENT`, else the agent's default 127.0.0.1:7947.
enum AgentOptions {
  /// The options, for `ArgumentList`.
  static let options: [ArgumentList.Option] = [.init(name: "agent", takesValue: true)]

  /// Their lines in a command's help.
  static let help = """
      --agent IP:PORT    the agent whose HTTP API to ask, by its numeric address
                         (default $RUMOR_AGENT, else 127.0.0.1:7947)
    """

  /// The agent's address.
  /// A bad one is named as it was given, the flag or the variable (an
  /// empty variable counts as unset, as every variable does).
  static func address(_ parsed: ArgumentList, command: String) throws(CommandError) -> NodeAddress {
    let source: String
    let text: String
    if let flag = try parsed.value("agent") {
      (source, text) = ("--agent", flag)
    } else if let variable = HostEnvironment.current().variable(EnvironmentVariable.agent) {
      (source, text) = ("environment \(EnvironmentVariable.agent)", variable)
    } else {
      return NodeAddress(ipv4: 127, 0, 0, 1, port: APIAddress.defaultPort)
    }
    let hostAndPort: HostAndPort
    do {
      hostAndPort = try HostAndPort(
        parsing: text, defaultPort: APIAddress.defaultPort, allowsPortZero: false)
    } catch {
      throw .usage("\(source): \(error.reason)", command: command)
    }
    guard hostAndPort.isNumeric, let address = NodeAddress(hostAndPort.description) else {
      throw .usage(
        "\(source): '\(text)' is not a numeric IP address; give the agent's HTTP API as IP:PORT (127.0.0.1:\(APIAddress.defaultPort) on this machine)",
        command: command)
    }
    return address
  }

  /// GETs `target` from the agent; an agent that does not answer is a
  /// failure saying so and how to start one.
  static func get(
    _ target: String, _ parsed: ArgumentList, command: String, timeout: Double? = nil
  ) async throws(CommandError) -> (status: Int, json: JSONValue) {
    let agent = try address(parsed, command: command)
    var seconds = 5.0
    if let timeout {
      seconds = timeout
    } else if let given = try NodeOptions.seconds(
      try parsed.value("timeout"), option: "timeout", command: command)
    {
      seconds = given
    }
    let reply: AgentClient.Reply
    do {
      reply = try await AgentClient.get(
        target, from: agent, timeout: .milliseconds(Int64(seconds * 1000)))
    } catch {
      throw .failure(error.description)
    }
    guard let json = reply.json else {
      throw .failure("\(agent) answered \(reply.status) without JSON")
    }
    return (reply.status, json)
  }

  /// Sends a write to the agent (with `RUMOR_HTTP_TOKEN` as the bearer
  /// token when set) and returns its JSON answer; a refusal is a failure
  /// with the agent's reason.
  static func write(
    _ method: String, _ target: String, body: [UInt8] = [], _ parsed: ArgumentList,
    command: String, timeout seconds: Double = 10
  ) async throws(CommandError) -> JSONValue {
    let (status, json) = try await send(
      method, target, body: body, parsed, command: command, timeout: seconds)
    guard (200..<300).contains(status) else {
      let agent = try address(parsed, command: command)
      // The agent's reason names its own option; this side sends the variable.
      let hint =
        status == 401 && token == nil
        ? " (set \(EnvironmentVariable.httpToken) to the agent's token: this command sends it)" : ""
      throw .failure("the agent at \(agent) refused: \(message(json))\(hint)")
    }
    return json
  }

  /// Sends a request as `write` does, and returns the status with the
  /// JSON answer whatever the status; only no answer, or one without
  /// JSON, is a failure.
  static func send(
    _ method: String, _ target: String, body: [UInt8] = [], _ parsed: ArgumentList,
    command: String, timeout seconds: Double = 10
  ) async throws(CommandError) -> (status: Int, json: JSONValue) {
    let agent = try address(parsed, command: command)
    let reply: AgentClient.Reply
    do {
      reply = try await AgentClient.send(
        method, target, body: body, token: token, to: agent,
        timeout: .milliseconds(Int64(seconds * 1000)))
    } catch {
      throw .failure(error.description)
    }
    guard let json = reply.json else {
      throw .failure("\(agent) answered \(reply.status) without JSON")
    }
    return (reply.status, json)
  }

  /// The bearer token writes carry: `RUMOR_HTTP_TOKEN`, when set.
  static var token: String? { HostEnvironment.current().variables[EnvironmentVariable.httpToken] }

  /// `text` as one path segment (percent-encoded but for unreserved
  /// characters).
  static func segment(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"):
        encoded.append(Character(UnicodeScalar(byte)))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return encoded
  }

  /// `value`'s error message when the agent refused.
  static func message(_ value: JSONValue) -> String {
    if case .string(let text)? = value["error"] { return text }
    return value.text
  }

  /// A member as the agent's `/v1/members` gives it.
  static func member(_ value: JSONValue) -> Member? {
    guard case .string(let name)? = value["name"], case .string(let host)? = value["address"],
      case .integer(let port)? = value["port"], let port = UInt16(exactly: port),
      case .string(let status)? = value["status"],
      let state = MemberState.allCases.first(where: { $0.description == status }),
      let address = NodeAddress(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
    else { return nil }
    var tags: [String: String] = [:]
    if case .object(let fields)? = value["tags"] {
      for field in fields {
        if case .string(let text) = field.value { tags[field.key] = text }
      }
    }
    var incarnation: UInt32 = 0
    if case .integer(let number)? = value["incarnation"] {
      incarnation = UInt32(clamping: number)
    }
    return Member(
      name: name, address: address, meta: (try? SerfTags.encode(tags)) ?? [],
      incarnation: incarnation, state: state)
  }

  /// Percent-encodes a path segment or query value.
  static func encoded(_ text: String) -> String {
    var output = ""
    for byte in text.utf8 {
      switch byte {
      case 48...57, 65...90, 97...122, 45, 46, 95, 126:
        output.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let digits = String(byte, radix: 16, uppercase: true)
        output += "%" + (digits.count == 1 ? "0" : "") + digits
      }
    }
    return output
  }
}
