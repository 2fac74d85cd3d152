import RumorWire

/// Folds what each operation produced into one number that the benchmark
/// prints at the end, so that the optimizer cannot drop work whose result
/// would otherwise go unused. Cheap on purpose: it must not weigh on the
/// figures.
enum Digest {
  /// Mixes a value into a running digest.
  static func mix(_ digest: UInt64, _ value: UInt64) -> UInt64 {
    (digest ^ value) &* 0x0000_0100_0000_01b3
  }

  /// A datagram: its length and three bytes spread over it, which depend
  /// on the header, the middle and the tail (tag or CRC-covered payload).
  static func bytes(_ bytes: [UInt8]) -> UInt64 {
    guard let last = bytes.last else { return 0 }
    let middle = bytes[bytes.count / 2]
    return UInt64(bytes.count) << 24 | UInt64(bytes[0]) << 16 | UInt64(middle) << 8
      | UInt64(last)
  }

  /// A decoded packet: counts, the checksum, and each message's type and
  /// subject, so the decoded values themselves are observed.
  static func packet(_ packet: PacketCodec.DecodedPacket) -> UInt64 {
    var digest = UInt64(packet.messages.count) | UInt64(packet.errors.count) << 16
    digest = mix(digest, UInt64(packet.checksum ?? 0))
    for decoded in packet.messages {
      let subjectLength = decoded.message.subject?.utf8.count ?? 0
      digest = mix(digest, UInt64(decoded.message.type.rawValue) << 32 | UInt64(subjectLength))
    }
    return digest
  }
}
