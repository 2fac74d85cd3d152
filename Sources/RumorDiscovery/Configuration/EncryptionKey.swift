import FoundationEssentials

/// Gossip encryption keys as written in files and `RUMOR_ENCRYPT`: base64
/// of 16, 24 or 32 bytes, the format `serf keygen` and `rumor keygen`
/// print.
public enum EncryptionKey {
  /// Decodes one key.
  public static func decode(_ text: String) throws(InvalidValue) -> [UInt8] {
    guard let data = Data(base64Encoded: text) else {
      throw InvalidValue("a key is not base64; make one with 'rumor keygen'")
    }
    guard [16, 24, 32].contains(data.count) else {
      throw InvalidValue(
        "a key is \(data.count) bytes; AES keys are 16, 24 or 32 bytes (rumor keygen makes 32)")
    }
    return Array(data)
  }

  /// Base64 of a key, for output.
  public static func encode(_ key: [UInt8]) -> String {
    Data(key).base64EncodedString()
  }
}
