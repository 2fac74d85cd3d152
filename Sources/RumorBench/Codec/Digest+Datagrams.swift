import RumorWire

/// What the codec benchmark's outputs contribute to the digest.
extension Digest {
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
