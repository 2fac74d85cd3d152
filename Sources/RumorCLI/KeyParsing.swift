import CommandLineSupport
import FoundationEssentials
import Rumor
import RumorWire

/// Turns `--key` / `--encrypt` values into a keyring, with errors that say
/// which key is wrong and how; a bad key is a bad command line (exit 2).
enum KeyParsing {
  static func keyring(fromBase64 keys: [String], option: String, command: String)
    throws(CommandError) -> Keyring?
  {
    guard !keys.isEmpty else { return nil }
    var decoded: [[UInt8]] = []
    for (index, text) in keys.enumerated() {
      let trimmed = text.trimmingWhitespace
      guard let data = Data(base64Encoded: trimmed) else {
        throw .usage(
          "--\(option) value \(index + 1) is not base64 (make a key with 'rumor keygen')",
          command: command)
      }
      decoded.append(Array(data))
    }
    do {
      return try Keyring(keys: decoded)
    } catch {
      throw .usage("--\(option): \(error.reason)", command: command)
    }
  }
}
