import Testing

@testable import RumorWire

@Suite("AES-GCM, keyrings, labels and the packet and stream codecs")
struct EncryptionTests {
  let key = (0..<16).map { UInt8($0) }
  let nonce = hex("000102030405060708090a0b")
  let ack = hex("0282a75061796c6f6164c0a55365714e6f01")

  @Test("UDP encryption matches the reference vectors, with and without a label")
  func udpVectors() throws {
    let keyring = try Keyring(keys: [key])
    #expect(
      try keyring.seal(ack, nonce: nonce)
        == hex(
          "01 000102030405060708090a0b 91ee009e07629b3b2ab6a12f65c60146dc27 88eb30d271c7cabc470fe8f59917dbae"
        ))
    let labelled = try keyring.seal(ack, additionalData: Array("prod".utf8), nonce: nonce)
    #expect(
      Label.header("prod") + labelled
        == hex(
          "f4 04 70726f64 01 000102030405060708090a0b 91ee009e07629b3b2ab6a12f65c60146dc27 b5130084605d36aac10a18cde029eb39"
        ))
    let packet = PacketCodec(options: WireOptions(label: "prod", keyring: keyring))
      .decode(Label.header("prod") + labelled)
    #expect(packet.errors.isEmpty)
    #expect(packet.label == "prod")
    #expect(packet.messages.map(\.message) == [.ack(Ack(seqNo: 1))])
  }

  @Test("version 0 pads PKCS#7-style and matches the reference vector")
  func versionZero() throws {
    let keyring = try Keyring(keys: [key])
    let sealed = try keyring.seal(ack, version: 0, nonce: nonce)
    #expect(
      sealed
        == hex(
          "00 000102030405060708090a0b 91ee009e07629b3b2ab6a12f65c60146dc2714e85de3f3f8e82fff231a4aac62 91e01ef865997c791a245d7db983a8b7"
        ))
    let opened = try keyring.open(sealed[...])
    #expect(opened.plaintext == ack)
    #expect(opened.version == 0)
  }

  @Test("a labelled TCP message matches the reference vector")
  func tcpVector() throws {
    let keyring = try Keyring(keys: [key])
    let stream = hex(
      "f4 04 70726f64 0a 0000002c 01 000102030405060708090a0b 93ee0380097f92f4ee8104fb78cc71 aa27dfbe04ddd0e5c1437e6c50598609"
    )
    let codec = StreamCodec(
      options: WireOptions(label: "prod", keyring: keyring, compression: false))
    let decoded = try codec.decode(stream[...])
    #expect(decoded.message == .ping(Ping(seqNo: 1, node: "")))
    #expect(decoded.label == "prod")
    #expect(decoded.consumedCount == stream.count)
    // The reply has no label header but the label is still in its AAD.
    let reply = try codec.encode(.ack(Ack(seqNo: 1)), includeLabel: false)
    #expect(reply.first == MessageType.encrypt.rawValue)
    #expect(try codec.decode(reply[...], allowLabel: false).message == .ack(Ack(seqNo: 1)))
    let unlabelled = StreamCodec(options: WireOptions(keyring: keyring))
    #expect(throws: WireError.self) { try unlabelled.decode(reply[...], allowLabel: false) }
  }

  @Test("the primary key encrypts and every key is tried to decrypt")
  func keyRotation() throws {
    let old = [UInt8](repeating: 1, count: 32)
    let new = [UInt8](repeating: 2, count: 24)
    var sender = try Keyring(keys: [old])
    var receiver = try Keyring(keys: [new, old])
    let sealed = try sender.seal(ack)
    #expect(try receiver.open(sealed[...]).keyIndex == 1)
    try sender.install(new)
    try sender.use(new)
    #expect(try receiver.open(try sender.seal(ack)[...]).keyIndex == 0)
    try receiver.remove(old)
    #expect(throws: WireError.self) { try receiver.remove(new) }
    #expect(throws: WireError.self) { try receiver.open(sealed[...]) }
  }

  @Test("keys of the wrong length and empty keyrings are refused with a reason")
  func keyValidation() {
    #expect(throws: WireError.self) { try Keyring(keys: [[1, 2, 3]]) }
    #expect(throws: WireError.self) { try Keyring(keys: []) }
    do {
      _ = try Keyring(keys: [key, [1]])
    } catch {
      #expect(error.reason.contains("key 2 is 1 bytes"))
    }
  }

  @Test("a packet with another label, no label, or the wrong key is dropped with a reason")
  func packetRefusals() throws {
    let keyring = try Keyring(keys: [key])
    let other = try Keyring(keys: [[UInt8](repeating: 9, count: 16)])
    let payload = Message.ping(Ping(seqNo: 3, node: "n")).encoded()
    let labelled = try PacketCodec(options: WireOptions(label: "a", keyring: keyring))
      .seal(payload, checksum: true)
    #expect(
      PacketCodec(options: WireOptions(label: "b", keyring: keyring)).decode(labelled).errors.first?
        .kind == .label)
    #expect(
      PacketCodec(options: WireOptions(keyring: keyring)).decode(labelled).errors.first?.kind
        == .label)
    let plain = try PacketCodec().seal(payload, checksum: false)
    #expect(
      PacketCodec(options: WireOptions(label: "a")).decode(plain).errors.first?.kind == .label)
    let wrongKey = PacketCodec(options: WireOptions(label: "a", keyring: other)).decode(labelled)
    #expect(wrongKey.errors.first?.kind == .authentication)
    #expect(wrongKey.messages.isEmpty)
    // Plaintext is refused when encryption is required, accepted while migrating.
    #expect(PacketCodec(options: WireOptions(keyring: keyring)).decode(plain).messages.isEmpty)
    let migrating = PacketCodec(options: WireOptions(keyring: keyring, verifyIncoming: false))
    #expect(migrating.decode(plain).messages.map(\.message) == [.ping(Ping(seqNo: 3, node: "n"))])
    // A label header of length 0 is invalid.
    #expect(
      PacketCodec(options: WireOptions(acceptsAnyLabel: true)).decode([0xf4, 0x00, 0x00]).errors
        .first?.kind == .label)
  }

  @Test("sealing compresses only when that helps, adds the CRC, encrypts and labels")
  func sealLayers() throws {
    let keyring = try Keyring(keys: [key])
    let codec = PacketCodec(options: WireOptions(label: "x", keyring: keyring))
    let alives = try Compound.encode(
      (0..<10).map { index in
        Message.alive(
          Alive(incarnation: 1, node: "node-\(index)", addr: [10, 0, 0, 1], port: 7946)
        ).encoded()
      })
    let sealed = try codec.seal(alives, checksum: true)
    #expect(sealed.count < alives.count + codec.overhead(checksum: true))
    let packet = codec.decode(sealed)
    #expect(packet.errors.isEmpty)
    #expect(packet.checksum != nil)
    #expect(packet.encryptionVersion == 1)
    #expect(packet.messages.count == 10)
    #expect(packet.messages.allSatisfy { $0.route.steps.first == .compressed })
    // A small message grows under LZW, so it is sent as is.
    let small = try PacketCodec().seal(ack, checksum: false)
    #expect(small == ack)
  }

  @Test("a corrupted CRC drops the whole packet")
  func crcMismatch() throws {
    var packet = try PacketCodec().seal(ack, checksum: true)
    packet[packet.count - 1] ^= 1
    let decoded = PacketCodec().decode(packet)
    #expect(decoded.messages.isEmpty)
    #expect(decoded.errors.first?.kind == .checksum)
  }

  @Test("a stream message round-trips with compression, encryption and a label")
  func streamRoundTrip() throws {
    let keyring = try Keyring(keys: [key])
    let codec = StreamCodec(options: WireOptions(label: "lab", keyring: keyring))
    let message = Message.pushPull(
      PushPull(
        join: true, states: [PushNodeState(name: "a", addr: [1, 2, 3, 4], port: 5, incarnation: 1)])
    )
    let request = try codec.encode(message, includeLabel: true)
    let twice = request + request.dropFirst(Label.overhead("lab"))
    let first = try codec.decode(twice[...])
    #expect(first.message == message)
    #expect(first.compressed)
    #expect(first.label == "lab")
    let second = try codec.decode(twice[first.consumedCount...], allowLabel: false)
    #expect(second.message == message)
    #expect(first.consumedCount + second.consumedCount == twice.count)
    // A cut stream reports truncation at the top level: read more.
    do {
      _ = try codec.decode(request.dropLast(4))
      Issue.record("decoded a cut stream")
    } catch {
      #expect(error.kind == .truncated)
      #expect(error.layers.isEmpty)
    }
  }
}
