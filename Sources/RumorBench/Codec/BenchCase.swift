import RumorWire

/// One thing to measure: how to build a datagram from message values, and
/// the datagram that decoding reads.
struct BenchCase {
  /// Short name for the table and the JSON.
  let name: String
  /// What the datagram holds, for the reader of the output.
  let detail: String
  /// The datagram as a node would send it; decode reads this.
  let datagram: [UInt8]
  /// Builds the datagram again from the message values.
  let encode: () throws(WireError) -> UInt64
  /// Decodes `datagram` with the matching codec.
  let decode: () -> UInt64
}

extension BenchCase {
  /// The cases, in the order the table lists them.
  static func all() throws -> [BenchCase] {
    let meta = try Fixtures.serfMeta(size: 200)
    let alive = Fixtures.alive(node: "web-01.dc1.internal", index: 0, meta: meta)
    let plain = PacketCodec(options: WireOptions(compression: false))
    let compressing = PacketCodec(options: WireOptions(compression: true))
    let keyring = try Keyring(keys: [(0..<32).map { UInt8($0 &* 7 &+ 11) }])
    let encrypting = PacketCodec(options: WireOptions(keyring: keyring, compression: false))

    let plainGossip = Fixtures.fullCompound(
      budget: Packer.defaultBudget, overhead: plain.overhead(checksum: true), meta: meta)
    // Encryption adds 29 bytes, so a node fits less gossip in the packet.
    let encryptedGossip = Fixtures.fullCompound(
      budget: Packer.defaultBudget, overhead: encrypting.overhead(checksum: true), meta: meta)

    return [
      try single("ping", .ping(Fixtures.ping), codec: plain),
      try single("ack", .ack(Fixtures.ack), codec: plain),
      try single("alive", .alive(alive), codec: plain, detail: "\(meta.count) B of Serf tags"),
      try compound("compound", plainGossip, codec: plain, detail: "CRC"),
      try compound("compound+aes", encryptedGossip, codec: encrypting, detail: "CRC, AES-256-GCM"),
      try compound(
        "compound+lzw", plainGossip, codec: compressing, detail: "CRC, LZW", compressed: true),
      try pushPull(states: 1_000, compressed: false),
      try pushPull(states: 1_000, compressed: true),
      try lzw("lzw/gossip", packer(for: compressing).pack(plainGossip.map { $0.encoded() })),
      try lzw("lzw/push-pull", pushPullMessage(states: 1_000).encoded(for: .stream)),
    ]
  }

  private static func packer(for codec: PacketCodec) -> Packer {
    Packer(budget: Packer.defaultBudget, overhead: codec.overhead(checksum: true))
  }

  /// LZW alone: encode compresses `payload` (a compound or a push-pull as
  /// a node compresses it), decode decompresses the result; the bytes
  /// (and MB/s) are the uncompressed payload's, so 1,000 / MB/s is ns per
  /// input byte.
  private static func lzw(_ name: String, _ payloads: [[UInt8]]) throws -> BenchCase {
    guard payloads.count == 1, let payload = payloads.first else {
      throw BenchError("\(name): \(payloads.count) payloads, not 1")
    }
    return try lzw(name, payload)
  }

  private static func lzw(_ name: String, _ payload: [UInt8]) throws -> BenchCase {
    let compressed = LZW.compress(payload)
    guard try LZW.decompress(compressed[...], limit: payload.count) == payload else {
      throw BenchError("\(name): decompressed bytes differ from the payload")
    }
    return BenchCase(
      name: name, detail: "LZW alone, \(compressed.count) B compressed", datagram: payload,
      encode: { Digest.bytes(LZW.compress(payload)) },
      decode: {
        guard let plain = try? LZW.decompress(compressed[...], limit: payload.count) else {
          return 0
        }
        return Digest.bytes(plain)
      })
  }

  private static func address(_ index: Int) -> [UInt8] {
    let third = UInt8(truncatingIfNeeded: index / 250)
    let fourth = UInt8(truncatingIfNeeded: index % 250)
    return [10, 0, third, fourth]
  }

  /// A full-state exchange over TCP, as a member of a cluster of `states`
  /// members sends it (what joins and anti-entropy cost).
  private static func pushPull(states count: Int, compressed: Bool) throws -> BenchCase {
    let message = pushPullMessage(states: count)
    let codec = StreamCodec(options: WireOptions(compression: compressed))
    let stream = try codec.encode(message, includeLabel: false)
    guard try codec.decode(stream[...]).message == message else {
      throw BenchError("push-pull: decoded state differs from the encoded one")
    }
    return BenchCase(
      name: compressed ? "push-pull+lzw" : "push-pull", detail: "\(count) node states, stream",
      datagram: stream,
      encode: { () throws(WireError) -> UInt64 in
        Digest.bytes(try codec.encode(message, includeLabel: false))
      },
      decode: {
        guard let decoded = try? codec.decode(stream[...]) else { return 0 }
        return UInt64(decoded.consumedCount)
      })
  }

  /// A push-pull of `count` members with distinct names and addresses.
  private static func pushPullMessage(states count: Int) -> Message {
    let states = (0..<count).map { index in
      PushNodeState(
        name: "node-\(index).dc1.internal", addr: address(index),
        port: Fixtures.port, incarnation: UInt32(1 + index % 3), vsn: ProtocolVersions.rumor.bytes)
    }
    return Message.pushPull(PushPull(join: false, states: states))
  }

  /// A bare message: encode is `Message.encoded()`, nothing else.
  private static func single(
    _ name: String, _ message: Message, codec: PacketCodec, detail: String = "bare message"
  ) throws -> BenchCase {
    let datagram = message.encoded()
    try check(name, datagram, decodesTo: [message], with: codec)
    return BenchCase(
      name: name, detail: detail, datagram: datagram,
      encode: { Digest.bytes(message.encoded()) },
      decode: { Digest.packet(codec.decode(datagram)) })
  }

  /// Gossip through the packer into one compound, then sealed with a CRC
  /// (and whatever else `codec` does), as a node's gossip tick would.
  private static func compound(
    _ name: String, _ gossip: [Message], codec: PacketCodec, detail: String,
    compressed: Bool = false
  ) throws -> BenchCase {
    let packer = packer(for: codec)
    func build() throws(WireError) -> [[UInt8]] {
      var sealed: [[UInt8]] = []
      for packet in packer.pack(gossip.map { $0.encoded() }) {
        sealed.append(try codec.seal(packet, checksum: true))
      }
      return sealed
    }
    let datagrams = try build()
    guard datagrams.count == 1, let datagram = datagrams.first else {
      throw BenchError("\(name): the packer made \(datagrams.count) packets, not 1")
    }
    guard datagram.count <= Packer.defaultBudget else {
      throw BenchError("\(name): \(datagram.count) bytes exceed the budget")
    }
    let decoded = try check(name, datagram, decodesTo: gossip, with: codec)
    // Compression is only used when it shrinks the packet; make sure the
    // row labelled LZW really measured it.
    let isCompressed = decoded.messages.allSatisfy { $0.route.steps.contains(.compressed) }
    guard isCompressed == compressed else {
      throw BenchError("\(name): compression \(isCompressed ? "used" : "not used")")
    }
    return BenchCase(
      name: name, detail: "\(gossip.count) gossip msgs, \(detail)", datagram: datagram,
      encode: { () throws(WireError) -> UInt64 in
        var digest: UInt64 = 0
        for packet in try build() { digest = Digest.mix(digest, Digest.bytes(packet)) }
        return digest
      },
      decode: { Digest.packet(codec.decode(datagram)) })
  }

  /// A benchmark of a codec that silently fails would time error paths.
  @discardableResult
  private static func check(
    _ name: String, _ datagram: [UInt8], decodesTo expected: [Message], with codec: PacketCodec
  ) throws -> PacketCodec.DecodedPacket {
    let decoded = codec.decode(datagram)
    if let error = decoded.errors.first {
      throw BenchError("\(name): decoding failed: \(error)")
    }
    guard decoded.messages.map(\.message) == expected else {
      throw BenchError("\(name): decoded messages differ from the encoded ones")
    }
    return decoded
  }
}
