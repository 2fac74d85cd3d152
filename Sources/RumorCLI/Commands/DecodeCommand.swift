import CommandLineSupport
import FoundationEssentials
import Rumor
import RumorWire

/// `rumor decode`: takes one UDP payload or one direction of a TCP stream
/// apart through every layer and prints the messages as JSON lines.
enum DecodeCommand {
  static let summary = "Decode a memberlist/Serf packet or stream and print its messages as JSON"
  static let help = """
    Usage: rumor decode [--key BASE64]... [--label LABEL] [--stream] (--hex HEX | --file FILE)

    Decodes one UDP payload (or, with --stream, one direction of a TCP
    stream) through every layer: label header, AES-GCM, CRC-32, LZW
    compression, compound messages, every memberlist message, Serf's
    messages and tags. Prints one JSON object per message, one per line,
    each with a "type" field and "via", the envelopes it came in.

    Options:
      --hex HEX       the bytes as hex digits (spaces and colons are ignored)
      --file FILE     read the raw bytes from FILE ('-' for standard input)
      --stream        decode TCP stream framing (push-pull, TCP ping, errors)
      --key BASE64    an encryption key as `serf keygen` prints it; repeat
                      for a keyring (every key is tried)
      --label LABEL   the cluster label; without it any label is accepted

    Exit status: 0 when everything decoded; 1 when something did not (each
    problem is one line on standard error, saying what and at which byte);
    2 for a bad command line.

    Example:
      rumor decode --hex 0282a75061796c6f6164c0a55365714e6f01
    """

  static func run(_ arguments: [String], console: Console) throws(CommandError) {
    let parsed = try ArgumentList(
      arguments, command: "rumor decode",
      options: [
        .init(name: "hex", takesValue: true), .init(name: "file", takesValue: true),
        .init(name: "key", takesValue: true), .init(name: "label", takesValue: true),
        .init(name: "stream", takesValue: false),
      ])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    let bytes = try input(parsed)
    let label = try parsed.value("label")
    if let label {
      do { try Label.validate(label) } catch { throw .usage(error.reason, command: "rumor decode") }
    }
    let options = WireOptions(
      label: label ?? "",
      keyring: try KeyParsing.keyring(
        fromBase64: parsed.values("key"), option: "key", command: "rumor decode"),
      acceptsAnyLabel: label == nil)
    let stream = parsed.flag("stream")
    var report = inspect(bytes, options: options, stream: stream)
    // A debugging tool should not refuse plaintext because a key was given:
    // when no key authenticates, the input may simply not be encrypted.
    if report.errors.first?.kind == .authentication || report.messages.isEmpty,
      options.keyring != nil
    {
      var plain = options
      plain.keyring = nil
      let plaintext = inspect(bytes, options: plain, stream: stream)
      if plaintext.errors.isEmpty { report = plaintext }
    }
    for message in report.messages {
      console.out(message.text)
    }
    guard let first = report.errors.first else { return }
    for error in report.errors.dropFirst() {
      console.err("rumor decode: \(error)")
    }
    throw .failure(first.description + hint(for: bytes, options: options, first: first))
  }

  private static func inspect(_ bytes: [UInt8], options: WireOptions, stream: Bool)
    -> Inspector.Report
  {
    stream
      ? Inspector.inspectStream(bytes, options: options)
      : Inspector.inspectPacket(bytes, options: options)
  }

  private static func input(_ parsed: ArgumentList) throws(CommandError) -> [UInt8] {
    switch (try parsed.value("hex"), try parsed.value("file")) {
    case (let hex?, nil):
      do {
        let bytes = try Hex.decode(hex)
        guard !bytes.isEmpty else {
          throw CommandError.usage("--hex is empty", command: "rumor decode")
        }
        return bytes
      } catch let error as CommandError {
        throw error
      } catch {
        throw .usage("--hex: \(error)", command: "rumor decode")
      }
    case (nil, let path?):
      let data: [UInt8]
      if path == "-" {
        data = readStandardInput()
      } else {
        switch LocalFile.bytes(path, limit: 64 << 20) {
        case .success(let bytes): data = bytes
        case .failure(.missing): throw .failure("cannot read \(path): no such file")
        case .failure(.directory): throw .failure("cannot read \(path): it is a directory")
        case .failure(.unreadable(let reason)): throw .failure("cannot read \(path): \(reason)")
        case .failure(.tooLarge): throw .failure("\(path) is larger than 64 MiB")
        }
      }
      guard !data.isEmpty else { throw .failure("\(path) is empty") }
      return Array(data)
    case (nil, nil):
      throw .usage("give the bytes with --hex or --file", command: "rumor decode")
    case (_?, _?):
      throw .usage("give --hex or --file, not both", command: "rumor decode")
    }
  }

  /// Encrypted payloads start with version byte 0 or 1, which also reads
  /// as a ping or indirect ping; say so when that is the likely mistake.
  private static func hint(for bytes: [UInt8], options: WireOptions, first: WireError) -> String {
    let start =
      bytes.first == MessageType.hasLabel.rawValue ? 2 + Int(bytes.count > 1 ? bytes[1] : 0) : 0
    guard options.keyring == nil, start < bytes.count, bytes[start] <= 1 || bytes[start] == 10,
      bytes.count - start >= Keyring.overhead()
    else { return "" }
    return " (if the input is encrypted, pass the key with --key)"
  }
}
