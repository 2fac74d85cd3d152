import CommandLineSupport
import FoundationEssentials
import Rumor

/// `rumor keygen`: a new encryption key, printed as `serf keygen` prints it.
enum KeygenCommand {
  static let summary = "Print a new random 32-byte encryption key (base64), like serf keygen"
  static let help = """
    Usage: rumor keygen [--json]

    Prints a new AES-256 key: 32 random bytes from the system's secure
    generator, base64-encoded, the format `serf keygen` prints and
    `rumor agent --encrypt` and `serf agent -encrypt` accept.

    Options:
      --json    print {"key": "..."} instead of the bare key
    """

  static func run(_ arguments: [String], console: Console) throws(CommandError) {
    let parsed = try ArgumentList(
      arguments, command: "rumor keygen", options: [.init(name: "json", takesValue: false)])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    var generator = SystemRandomNumberGenerator()
    let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let text = Data(key).base64EncodedString()
    console.out(parsed.flag("json") ? JSONValue.object([("key", .string(text))]).text : text)
  }
}
