import Testing

@testable import RumorWire

@Suite("LZW, CRC-32 and compounds")
struct FramingTests {
  @Test("LZW output equals Go's compress/lzw (LSB, 8-bit literals)")
  func lzwMatchesGo() throws {
    let text = Array("TOBEORNOTTOBEORTOBEORNOT".utf8)
    #expect(LZW.compress(text) == hex("00a93c1152e48914274fa80824687061c183090302"))
    let ack = hex("0282a75061796c6f6164c0a55365714e6f01")
    #expect(LZW.compress(ack) == hex("0005083a05254c1e366fc29001566a4a99384ede040808"))
    #expect(try LZW.decompress(LZW.compress(text)[...], limit: 100) == text)
  }

  @Test("LZW round-trips inputs that fill the code table and force clears")
  func lzwLongInputs() throws {
    var generator = SplitMix64(seed: 7)
    for size in [0, 1, 2, 255, 4_096, 20_000, 100_000] {
      // Low-entropy data makes long codes; random data fills the table fast.
      let repetitive = (0..<size).map { UInt8(truncatingIfNeeded: $0 / 7 % 13) }
      let random = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      for input in [repetitive, random] {
        let compressed = LZW.compress(input)
        #expect(try LZW.decompress(compressed[...], limit: size + 1) == input, "\(size)")
      }
    }
  }

  @Test("LZW refuses data without an end code, invalid codes and output over the limit")
  func lzwErrors() throws {
    let compressed = LZW.compress(Array(repeating: UInt8(0), count: 10_000))
    #expect(throws: WireError.self) { try LZW.decompress(compressed.dropLast(3), limit: 1 << 20) }
    #expect(throws: WireError.self) { try LZW.decompress(compressed[...], limit: 100) }
    // Code 300 straight after a clear is undefined.
    #expect(throws: WireError.self) { try LZW.decompress(hex("00 58 02")[...], limit: 100) }
  }

  @Test("CRC-32 is the IEEE checksum zlib computes")
  func crc() {
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xcbf4_3926)
    #expect(CRC32.checksum([UInt8]()) == 0)
    let packet = CRC32.wrap([1, 2, 3])
    #expect(packet.prefix(5) == [0x0c] + [0x55, 0xbc, 0x80, 0x1d])
  }

  @Test("a compound with a truncated part keeps the parts before it")
  func compoundTruncation() throws {
    let ping = Message.ping(Ping(seqNo: 1, node: "a")).encoded()
    let ack = Message.ack(Ack(seqNo: 1)).encoded()
    let compound = try Compound.encode([ping, ack])
    let packet = PacketCodec().decode(Array(compound.dropLast(2)))
    #expect(packet.messages.map(\.message) == [.ping(Ping(seqNo: 1, node: "a"))])
    #expect(packet.errors.count == 1)
    #expect(packet.errors.first?.kind == .truncated)
  }

  @Test("a compound refuses more than 255 parts")
  func compoundLimit() {
    let parts = Array(repeating: [UInt8(2)], count: 256)
    #expect(throws: WireError.self) { try Compound.encode(parts) }
  }

  @Test("piggybacking fills the budget and skips what does not fit")
  func piggyback() {
    let packer = Packer(budget: 100)
    let primary = [UInt8](repeating: 0, count: 40)
    // 100 - 40 - 2 - 2 = 56 bytes of space: 30 + 2 fits, 30 + 2 does not, 20 + 2 does.
    let broadcasts = [
      [UInt8](repeating: 1, count: 30), [UInt8](repeating: 2, count: 30),
      [UInt8](repeating: 3, count: 20),
    ]
    let (packet, carried) = packer.piggyback(primary, broadcasts: broadcasts)
    #expect(carried == [0, 2])
    #expect(packet.count <= 100)
    #expect(packet.count == 2 + 3 * 2 + 40 + 30 + 20)
    #expect(packer.piggyback(primary, broadcasts: []).packet == primary)
  }

  @Test("packing splits messages into packets within the budget, in order")
  func pack() throws {
    let packer = Packer(budget: 1400, overhead: 29)
    let messages = (0..<100).map { index in
      Message.alive(
        Alive(
          incarnation: UInt32(index), node: "node-\(index)", addr: [10, 0, 0, 1], port: 7946,
          meta: Array(repeating: 0xaa, count: 40), vsn: ProtocolVersions.rumor.bytes)
      ).encoded()
    }
    let packets = packer.pack(messages)
    #expect(packets.count > 1)
    var decoded: [Message] = []
    for packet in packets {
      #expect(packet.count + 29 <= 1400)
      let result = PacketCodec().decode(packet)
      #expect(result.errors.isEmpty)
      decoded += result.messages.map(\.message)
    }
    #expect(decoded.map { $0.encoded() } == messages)
    // One oversized message goes alone and bare.
    let big = [UInt8](repeating: 8, count: 2_000)
    #expect(packer.pack([[1], big, [2]]) == [[1], big, [2]])
  }
}

/// A small seeded generator, so that every random test is reproducible.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
