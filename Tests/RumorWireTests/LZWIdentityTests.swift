import Testing

@testable import RumorWire

/// `LZW.compress` against a plain transcription of Go's writer
/// (`ReferenceLZW`), on inputs of every kind of redundancy, and every
/// output back through `LZW.decompress`.
@Suite("LZW output equals the reference writer's")
struct LZWIdentityTests {
  /// Random bytes over alphabets of 1 to 256 symbols (from runs of one
  /// byte to incompressible), text-like repetition, and sizes from empty
  /// to 100 KB: the large ones fill the code table and clear it many times.
  static func inputs() -> [[UInt8]] {
    var generator = SplitMix64(seed: 11)
    var inputs: [[UInt8]] = []
    for size in [0, 1, 2, 3, 8, 96, 255, 256, 257, 1_000, 1_395, 4_096, 5_000, 20_000, 100_000] {
      for alphabet: UInt64 in [1, 2, 4, 16, 64, 256] {
        inputs.append(
          (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next() % alphabet) })
      }
      inputs.append((0..<size).map { UInt8(truncatingIfNeeded: $0 / 7 % 13) })
      // Stretches copied from earlier in the input, as in encoded messages.
      var text: [UInt8] = []
      while text.count < size {
        if text.count > 16, generator.next() % 3 != 0 {
          let start = Int(generator.next() % UInt64(text.count - 8))
          let length = 3 + Int(generator.next() % 30)
          text += text[start..<min(text.count, start + length)]
        } else {
          text.append(UInt8(truncatingIfNeeded: generator.next() % 96 + 32))
        }
      }
      inputs.append(Array(text.prefix(size)))
    }
    return inputs
  }

  @Test("the same bytes as the reference, and back through the decompressor")
  func sameAsReference() throws {
    for input in Self.inputs() {
      let expected = ReferenceLZW.compress(input)
      let compressed = LZW.compress(input)
      #expect(compressed == expected, "\(input.count) bytes")
      #expect(try LZW.decompress(compressed[...], limit: input.count) == input)
      if !input.isEmpty {
        #expect(throws: WireError.self) {
          try LZW.decompress(compressed[...], limit: input.count - 1)
        }
      }
    }
  }

  @Test("with a maximum: the whole output when it fits, else nil")
  func sameWithMaximum() {
    for input in Self.inputs() where input.count <= 5_000 {
      let expected = ReferenceLZW.compress(input)
      let slice = [0, 0] + input + [0]
      let body = slice[2..<(2 + input.count)]
      #expect(LZW.compress(body, maximumCount: expected.count) == expected)
      #expect(LZW.compress(body, maximumCount: expected.count - 1) == nil)
      let wrapped = LZW.withCompressed(body, maximumCount: expected.count) { Array($0) }
      #expect(wrapped == expected)
    }
  }

  /// What a node compresses most: a push-pull of `count` members (the
  /// join's answers), and gossip compounds of alive messages with Serf
  /// tags as the packer fills them (the gossip rounds).
  static func messages(members count: Int) -> [[UInt8]] {
    let versions = ProtocolVersions.rumor
    var writer = PushPullWriter(join: false, stateCount: count, userStateCount: 0)
    var alives: [[UInt8]] = []
    for index in 0..<count {
      let name = "node-\(index)"
      let address = NodeAddress(
        ipv4: 10, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
        UInt8(truncatingIfNeeded: index), port: 7946)
      let meta = Array("role=node-\(index % 7)".utf8)
      writer.appendState(
        name: name, address: address, meta: meta, incarnation: UInt32(1 + index % 5),
        state: index % 11 == 0 ? .suspect : .alive, versions: versions)
      alives.append(
        Message.alive(
          Alive(
            incarnation: UInt32(1 + index % 5), node: name, addr: address.ipBytes,
            port: address.port, meta: meta, vsn: versions.bytes)
        ).encoded())
    }
    return [writer.finish(userState: [])] + Packer().pack(alives)
  }

  @Test("a push-pull and full gossip packets: the same bytes as the reference")
  func sameOnMessages() throws {
    let messages = Self.messages(members: 2_000)
    #expect(messages.count > 100)
    for message in messages {
      let expected = ReferenceLZW.compress(message)
      #expect(LZW.compress(message) == expected, "\(message.count) bytes")
      let wrapped = LZW.withCompressed(message[...], maximumCount: message.count) { Array($0) }
      #expect(wrapped == (expected.count <= message.count ? expected : nil))
      #expect(try LZW.decompress(expected[...], limit: message.count) == message)
    }
  }

  @Test("the compressed payloads memberlist 0.2.2 sent, byte for byte")
  func sameAsCaptured() throws {
    var found = 0
    for transfer in try loggedTransfers("captures-ml022-compress.txt") {
      var reader = MessagePackReader(transfer.bytes)
      guard try reader.readByte() == MessageType.compress.rawValue else { continue }
      let plain = try Compression.unwrap(&reader, limit: 1 << 20)
      let expected = ReferenceLZW.compress(plain)
      // The LZW bytes are the envelope's last field.
      #expect(
        transfer.bytes.suffix(expected.count).elementsEqual(expected), "\(transfer.description)")
      #expect(LZW.compress(plain) == expected, "\(transfer.description)")
      found += 1
    }
    #expect(found > 0)
  }
}
