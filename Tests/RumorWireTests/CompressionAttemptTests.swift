import Testing

@testable import RumorWire

@Suite("Compression attempts cut short, with the same bytes")
struct CompressionAttemptTests {
  /// Inputs of every kind: the Go vectors, gossip-like, repetitive and
  /// random, short and long.
  static func inputs() -> [[UInt8]] {
    var generator = SplitMix64(seed: 11)
    var inputs: [[UInt8]] = [
      Array("TOBEORNOTTOBEORTOBEORNOT".utf8), hex("0282a75061796c6f6164c0a55365714e6f01"),
    ]
    for size in [0, 1, 2, 95, 96, 97, 200, 700, 1_400, 5_000, 60_000] {
      inputs.append((0..<size).map { UInt8(truncatingIfNeeded: $0 / 7 % 13) })
      inputs.append((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
      var gossip: [UInt8] = []
      while gossip.count < size {
        let member = Int(generator.next() % 10_000)
        gossip += [0x83, 0xa4] + Array("Node".utf8) + Array("n\(member)".utf8)
        gossip += [0xa4] + Array("Addr".utf8) + [10, 0, UInt8(member % 256), 1]
      }
      inputs.append(Array(gossip.prefix(size)))
    }
    return inputs
  }

  @Test("LZW with a maximum gives the whole output or nil, exactly at its length")
  func lzwMaximum() throws {
    for input in Self.inputs() {
      let whole = LZW.compress(input)
      #expect(LZW.compress(input[...], maximumCount: whole.count) == whole)
      #expect(LZW.compress(input[...], maximumCount: Int.max) == whole)
      #expect(LZW.compress(input[...], maximumCount: whole.count - 1) == nil)
      #expect(LZW.compress(input[...], maximumCount: 0) == nil)
      #expect(try LZW.decompress(whole[...], limit: input.count + 1) == input)
    }
  }

  @Test("a wrap that must be shorter than n is the plain wrap when it is, nil when not")
  func wrapIfShorter() {
    for input in Self.inputs() {
      let wrapped = Compression.wrap(input)
      #expect(wrapped.count >= LZW.compress(input).count + Compression.smallestOverhead)
      for limit in [
        wrapped.count - 40, wrapped.count - 1, wrapped.count, wrapped.count + 1, 1 << 20,
      ] {
        let attempt = Compression.wrap(input[...], ifShorterThan: limit)
        #expect(attempt == (wrapped.count < limit ? wrapped : nil), "\(input.count), \(limit)")
      }
    }
  }

  @Test("a packet is sealed to the same bytes as when every attempt ran to the end")
  func sealUnchanged() throws {
    let codec = PacketCodec(options: WireOptions(compression: true))
    for input in Self.inputs() {
      let wrapped = Compression.wrap(input)
      let expected =
        input.count >= PacketCodec.smallestWorthCompressing && wrapped.count < input.count
        ? wrapped : input
      #expect(try codec.seal(input, checksum: false) == expected)
      // With a CRC the envelope is built with room for the header: the
      // same bytes as wrapping the compressed packet afterwards.
      #expect(try codec.seal(input, checksum: true) == CRC32.wrap(expected))
    }
  }

  @Test("decoded routes keep their envelopes, inline or not")
  func routes() {
    let part = Route.Step.compoundPart(index: 2, count: 3)
    let route = Route().appending(.compressed).appending(part)
    #expect(route.steps == [.compressed, part])
    #expect(route == Route(steps: [.compressed, part]))
    #expect(route != Route(steps: [part, .compressed]))
    let deep = route.appending(.compressed)
    #expect(deep.steps == [.compressed, part, .compressed])
    #expect(deep == Route(steps: [.compressed, part, .compressed]))
    #expect(Route().steps.isEmpty)
    var changed = deep
    changed.steps = [part]
    #expect(changed == Route().appending(part))
  }
}
