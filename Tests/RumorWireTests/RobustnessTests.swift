import Foundation
import Testing

@testable import RumorWire

/// A million seeded inputs through the whole decode path: mutations of the
/// real captures, random bytes, and valid messages with corrupted fields.
/// Nothing may trap, hang or grow memory without bound; a failure names
/// the chunk seed and input index that reproduce it.
@Suite("Robustness: every decoder is total")
struct RobustnessTests {
  static let totalInputs = 1_000_000
  static let chunks: [UInt64] = [11, 22, 33, 44]

  @Test(
    "a million seeded and mutated inputs decode without a trap, a hang or a leak", arguments: chunks
  )
  func millionInputs(seed: UInt64) throws {
    let corpus = try Self.corpus()
    let keyring = try Keyring(keys: [serfCaptureKey, memberlistCaptureKey])
    let optionSets = [
      WireOptions(), WireOptions(keyring: keyring), WireOptions(acceptsAnyLabel: true),
      WireOptions(label: "prod", keyring: keyring, verifyIncoming: false),
    ]
    var generator = SplitMix64(seed: seed)
    var mutator = Mutator(corpus: corpus, keyring: keyring)
    let count = Self.totalInputs / Self.chunks.count
    var decodedMessages = 0
    var rejected = 0
    var slowest: Duration = .zero
    let clock = ContinuousClock()
    let memoryBefore = peakResidentMegabytes()
    for index in 0..<count {
      var input = mutator.next(using: &generator)
      let options = optionSets[index % optionSets.count]
      // Labelled clusters see a label header in front of everything.
      if !options.label.isEmpty || (options.acceptsAnyLabel && index % 8 == 2) {
        input = Label.header(options.label.isEmpty ? "staging" : options.label) + input
      }
      let started = clock.now
      let outcome = exercise(
        input, options: options, asStream: index % 5 == 0, describe: index % 50 == 0)
      let elapsed = clock.now - started
      decodedMessages += outcome.messages
      rejected += outcome.errors > 0 ? 1 : 0
      if elapsed > slowest { slowest = elapsed }
      if elapsed > .seconds(2) {
        Issue.record(
          "input \(index) of seed \(seed) took \(elapsed): hex \(Hex.encode(input.prefix(256)))")
      }
    }
    let memoryAfter = peakResidentMegabytes()
    print(
      "seed \(seed): \(count) inputs, \(decodedMessages) messages decoded, \(rejected) inputs rejected, slowest \(slowest), peak RSS \(memoryBefore) -> \(memoryAfter) MB"
    )
    // Both outcomes must be common, or the inputs are not reaching the decoders.
    #expect(decodedMessages > count / 10)
    #expect(rejected > count / 10)
    #expect(
      memoryAfter - memoryBefore < 1024, "peak RSS grew from \(memoryBefore) to \(memoryAfter) MB")
  }

  /// Decodes `input` as a packet or stream and everything inside it.
  private func exercise(_ input: [UInt8], options: WireOptions, asStream: Bool, describe: Bool) -> (
    messages: Int, errors: Int
  ) {
    if describe {
      let report =
        asStream
        ? Inspector.inspectStream(input, options: options)
        : Inspector.inspectPacket(input, options: options)
      return (report.messages.count, report.errors.count)
    }
    var messages: [Message] = []
    var errors = 0
    if asStream {
      do {
        messages.append(try StreamCodec(options: options).decode(input[...]).message)
      } catch {
        errors += 1
      }
    } else {
      let packet = PacketCodec(options: options).decode(input)
      messages = packet.messages.map(\.message)
      errors = packet.errors.count
    }
    for message in messages {
      switch message {
      case .user(let user): errors += (try? user.serfMessage()) == nil ? 1 : 0
      case .alive(let alive): errors += (try? SerfTags.decode(alive.meta)) == nil ? 1 : 0
      case .pushPull(let pushPull):
        for state in pushPull.states { _ = try? SerfTags.decode(state.meta) }
        _ = try? SerfMessage(decoding: pushPull.userState[...])
      default: break
      }
    }
    return (messages.count, errors)
  }

  /// Every capture payload, plain and as captured.
  static func corpus() throws -> [[UInt8]] {
    var inputs: [[UInt8]] = []
    for file in ["serf-2node-plain.jsonl", "serf-2node-encrypted.jsonl"] {
      inputs += try captureRecords(file).map(\.bytes)
    }
    for file in ["captures-ml022.txt", "captures-ml022-compress.txt", "captures-ml022-encrypt.txt"]
    {
      inputs += try loggedTransfers(file).map(\.bytes)
    }
    // Valid messages of every type, so mutations hit every decoder.
    inputs += MessageTests.everyMessage.map { $0.encoded(for: .packet) }
    inputs += SerfTests.serfMessages.map {
      Message.user(UserMessage(payload: $0.encoded())).encoded()
    }
    // The inner layers too (decrypted, without CRC, decompressed): a
    // mutation of an outer layer mostly just fails its CRC or tag, so the
    // mutator also mutates inner layers and wraps them again.
    let keyring = try Keyring(keys: [serfCaptureKey, memberlistCaptureKey])
    var layers: [[UInt8]] = []
    for input in inputs {
      var current = input
      if let opened = try? keyring.open(current[...]) { current = opened.plaintext }
      if current.first == MessageType.hasCRC.rawValue, current.count > CRC32.headerSize {
        current = Array(current.dropFirst(CRC32.headerSize))
        layers.append(current)
      }
      if current.first == MessageType.compress.rawValue {
        var reader = MessagePackReader(current)
        _ = try reader.readByte()
        if let plain = try? Compression.unwrap(&reader, limit: 1 << 20) { layers.append(plain) }
      }
    }
    return inputs + layers
  }
}

/// Makes test inputs: captures with bit flips, interesting bytes, cuts,
/// insertions, splices and corrupted length fields, plus random bytes.
struct Mutator {
  let corpus: [[UInt8]]
  let keyring: Keyring
  private let interesting: [UInt8] = [
    0x00, 0x01, 0x07, 0x09, 0x0a, 0x0c, 0x7f, 0x80, 0x8f, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xca,
    0xcb, 0xcf, 0xd3, 0xd9, 0xdb, 0xdd, 0xdf, 0xe0, 0xf4, 0xff,
  ]

  mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> [UInt8] {
    let choice = Int.random(in: 0..<100, using: &generator)
    if choice < 8 || corpus.isEmpty {
      let length = Int.random(in: 0...300, using: &generator)
      return (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
    var input = corpus[Int.random(in: 0..<corpus.count, using: &generator)]
    let rounds = Int.random(in: 1...4, using: &generator)
    for _ in 0..<rounds {
      mutate(&input, using: &generator)
    }
    // Wrap the mutated bytes in valid envelopes, so that they get past the
    // CRC and the AES-GCM tag to the decoders inside.
    let wrapping = Int.random(in: 0..<16, using: &generator)
    if wrapping & 1 == 1 { input = Compression.wrap(input) }
    if wrapping & 2 == 2 { input = CRC32.wrap(input) }
    if wrapping & 12 == 12 {
      // The nonce comes from the test's generator so that a run replays.
      let nonce = (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
      if let sealed = try? keyring.seal(input, nonce: nonce) { input = sealed }
    }
    return input
  }

  private func mutate<G: RandomNumberGenerator>(_ input: inout [UInt8], using generator: inout G) {
    guard !input.isEmpty else {
      input = [interesting[Int.random(in: 0..<interesting.count, using: &generator)]]
      return
    }
    let position = Int.random(in: 0..<input.count, using: &generator)
    switch Int.random(in: 0..<8, using: &generator) {
    case 0: input[position] ^= 1 << UInt8.random(in: 0...7, using: &generator)
    case 1: input[position] = interesting[Int.random(in: 0..<interesting.count, using: &generator)]
    case 2: input[position] = UInt8.random(in: 0...255, using: &generator)
    case 3: input.removeLast(Int.random(in: 0...(input.count - position), using: &generator))
    case 4:
      let extra = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
        UInt8.random(in: 0...255, using: &generator)
      }
      input.insert(contentsOf: extra, at: position)
    case 5:
      let end = min(input.count, position + Int.random(in: 1...16, using: &generator))
      input.removeSubrange(position..<end)
    case 6:
      let other = corpus[Int.random(in: 0..<corpus.count, using: &generator)]
      let cut = Int.random(in: 0...other.count, using: &generator)
      input = Array(input.prefix(position)) + other.suffix(from: cut)
    default:
      // Big-endian length fields (compound, stream) and msgpack lengths.
      if position + 1 < input.count {
        input[position] = 0xff
        input[position + 1] = UInt8.random(in: 0...255, using: &generator)
      }
    }
  }
}

/// The process's peak resident set size in megabytes.
func peakResidentMegabytes() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss / 1024
}
