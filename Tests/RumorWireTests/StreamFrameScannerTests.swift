import Testing

@testable import RumorWire

@Suite("StreamFrameScanner: where a stream message ends, read once")
struct StreamFrameScannerTests {
  /// Stream messages of every framing the scanner knows.
  static func samples() throws -> [(String, [UInt8], Bool)] {
    let states = (0..<300).map { index in
      PushNodeState(
        name: "node-\(index)", addr: [127, 0, 0, 1], port: UInt16(7000 + index),
        meta: Array(repeating: UInt8(index % 250), count: index % 40), incarnation: UInt32(index),
        state: .alive, vsn: [1, 5, 5, 2, 5, 5])
    }
    let pushPull = Message.pushPull(
      PushPull(join: true, states: states, userState: Array(repeating: 7, count: 3_000)))
    let key = [UInt8](repeating: 9, count: 16)
    var cases: [(String, [UInt8], Bool)] = []
    for (name, options) in [
      ("plain", WireOptions(compression: false)),
      ("labelled", WireOptions(label: "cluster-a", compression: false)),
      ("compressed", WireOptions(compression: true)),
      ("encrypted", WireOptions(label: "x", keyring: try Keyring(keys: [key]), compression: false)),
    ] {
      let codec = StreamCodec(options: options)
      for (kind, message) in [
        ("push-pull", pushPull), ("empty push-pull", .pushPull(PushPull())),
        ("ping", .ping(Ping(seqNo: 4, node: "b", sourceAddr: [127, 0, 0, 1], sourcePort: 9))),
        ("user", .user(UserMessage(payload: Array(repeating: 3, count: 5_000)))),
        ("error", .error(ErrorResponse(error: "no"))),
      ] {
        cases.append(("\(name) \(kind)", try codec.encode(message, includeLabel: true), true))
        cases.append(
          ("\(name) \(kind) reply", try codec.encode(message, includeLabel: false), false))
      }
    }
    return cases
  }

  @Test("every prefix needs more, the whole message is complete, and the decoder agrees")
  func framesEveryMessage() throws {
    for (name, bytes, allowLabel) in try Self.samples() {
      // Fed in uneven pieces, as TCP delivers them, resuming each time.
      var scanner = StreamFrameScanner(allowLabel: allowLabel)
      var received: [UInt8] = []
      var piece = 1
      while received.count < bytes.count {
        let end = min(bytes.count, received.count + piece)
        received += bytes[received.count..<end]
        piece = piece * 3 % 1_021 + 1
        let progress = try scanner.scan(received)
        if received.count < bytes.count {
          guard case .needMore(let atLeast) = progress else {
            Issue.record("\(name): complete at \(received.count) of \(bytes.count)")
            break
          }
          #expect(atLeast > received.count && atLeast <= bytes.count, "\(name)")
        } else {
          #expect(progress == .complete(bytes.count), "\(name)")
        }
      }
      // A fresh scan of the whole message agrees, with trailing bytes too.
      var fresh = StreamFrameScanner(allowLabel: allowLabel)
      #expect(try fresh.scan(bytes + [1, 2, 3]) == .complete(bytes.count), "\(name)")
    }
  }

  @Test("sizes announced beyond the limits are refused from the header alone")
  func refusesAnnouncedSizes() throws {
    var encrypted = StreamFrameScanner()
    #expect(throws: WireError.self) { try encrypted.scan([10, 0x7f, 0xff, 0xff, 0xff]) }
    // A push-pull promising 20 MiB of user state needs at least that much.
    var writer = MessagePackWriter()
    writer.bytes.append(MessageType.pushPull.rawValue)
    PushPull.writeHeader(into: &writer, join: false, stateCount: 2, userStateCount: 20 << 20)
    var promise = StreamFrameScanner()
    guard case .needMore(let atLeast) = try promise.scan(writer.bytes) else {
      Issue.record("a bare header is not a whole push-pull")
      return
    }
    #expect(atLeast >= 20 << 20)
    // Not msgpack where a value must start.
    var junk = StreamFrameScanner()
    #expect(throws: WireError.self) { try junk.scan([0, 0xc1]) }
  }

  @Test("arbitrary bytes never trap and never claim more than they hold")
  func arbitraryBytes() {
    var generator = SplitMix64(seed: 11)
    for _ in 0..<2_000 {
      let count = Int(generator.next() % 200)
      let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      var scanner = StreamFrameScanner()
      if case .complete(let end)? = try? scanner.scan(bytes) {
        #expect(end <= bytes.count)
      }
    }
  }
}
