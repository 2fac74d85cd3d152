/// The first byte of every memberlist message. The values are protocol.
public enum MessageType: UInt8, Hashable, Sendable, CaseIterable {
  /// `Ping`.
  case ping = 0
  /// `IndirectPing`.
  case indirectPing = 1
  /// `Ack`.
  case ack = 2
  /// `Suspect`.
  case suspect = 3
  /// `Alive`.
  case alive = 4
  /// `Dead`.
  case dead = 5
  /// `PushPull` (streams only).
  case pushPull = 6
  /// Several messages in one packet (see `Compound`).
  case compound = 7
  /// `UserMessage`.
  case user = 8
  /// An LZW-compressed message (see `Compression`).
  case compress = 9
  /// The envelope byte of an encrypted stream message (see `Keyring`).
  case encrypt = 10
  /// `Nack`.
  case nack = 11
  /// A CRC-32 header in front of a packet (see `CRC32`).
  case hasCRC = 12
  /// `ErrorResponse` (streams only).
  case error = 13
  /// A label header in front of a packet or stream (see `Label`).
  case hasLabel = 244

  /// The name used in `rumor decode` output and in logs.
  public var name: String {
    switch self {
    case .ping: "ping"
    case .indirectPing: "indirect_ping"
    case .ack: "ack"
    case .suspect: "suspect"
    case .alive: "alive"
    case .dead: "dead"
    case .pushPull: "push_pull"
    case .compound: "compound"
    case .user: "user"
    case .compress: "compress"
    case .encrypt: "encrypt"
    case .nack: "nack"
    case .hasCRC: "crc"
    case .error: "err"
    case .hasLabel: "label"
    }
  }
}
