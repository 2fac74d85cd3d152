import Testing

@testable import RumorWire

/// What one datagram may cost to decode: nesting, messages, decompression.
@Suite("Per-datagram decode limits")
struct PacketLimitTests {
  /// An empty packet user message: one byte, the cheapest message there is.
  static let emptyUser: [UInt8] = [MessageType.user.rawValue]

  @Test("compounds nested three deep are refused; memberlist's shapes still decode")
  func nesting() throws {
    let ping = Message.ping(Ping(seqNo: 1, node: "a")).encoded()
    let ack = Message.ack(Ack(seqNo: 1)).encoded()
    // Every shape memberlist (or Rumor) sends decodes.
    let compound = try Compound.encode([ping, ack])
    for shape in [ping, compound, Compression.wrap(compound), Compression.wrap(ping)] {
      let packet = PacketCodec().decode(shape)
      #expect(packet.errors.isEmpty)
      #expect(!packet.messages.isEmpty)
    }
    // Two envelopes deep still decodes.
    let twice = try Compound.encode([compound, ping])
    #expect(PacketCodec().decode(twice).messages.count == 3)
    // Three deep does not.
    let thrice = try Compound.encode([twice])
    let packet = PacketCodec().decode(thrice)
    #expect(packet.messages.count == 1)
    #expect(packet.errors.count == 1)
    #expect(packet.errors.first?.kind == .tooLarge)
    #expect(packet.exceededLimits)
    let deepCompress = Compression.wrap(try Compound.encode([Compression.wrap(ping)]))
    #expect(PacketCodec().decode(deepCompress).messages.isEmpty)
  }

  @Test("one datagram of nested compounds yields at most 512 messages")
  func messagesPerDatagram() throws {
    let inner = try Compound.encode(Array(repeating: Self.emptyUser, count: 255))
    let outer = try Compound.encode(Array(repeating: inner, count: 80))
    #expect(outer.count <= 65_507)
    let packet = PacketCodec().decode(outer)
    #expect(packet.messages.count + packet.errors.count <= PacketCodec.maximumMessagesPerPacket + 1)
    #expect(packet.messages.count == PacketCodec.maximumMessagesPerPacket)
    #expect(packet.errors.count == 1)
    #expect(packet.errors.first?.kind == .tooLarge)
  }

  @Test("errors count against the same budget: a datagram of bad parts yields few errors")
  func errorsPerDatagram() throws {
    // Zero-length parts fail to decode, each one an error with a description.
    let inner = try Compound.encode(Array(repeating: [UInt8](), count: 255))
    let outer = try Compound.encode(Array(repeating: inner, count: 120))
    let packet = PacketCodec().decode(outer)
    #expect(packet.errors.count <= 513)
  }

  @Test("compress envelopes of one datagram share a 1 MiB budget")
  func decompressionBudget() throws {
    // Each envelope inflates to a 1.2 MiB user message from about 2 KB.
    let bomb = Compression.wrap(Self.emptyUser + [UInt8](repeating: 0, count: 1_200_000))
    #expect(bomb.count < 8_000)
    let packet = PacketCodec().decode(try Compound.encode([bomb, bomb, bomb]))
    let inflated = packet.messages.reduce(0) { total, decoded in
      guard case .user(let user) = decoded.message else { return total }
      return total + user.payload.count
    }
    #expect(inflated <= WireOptions.defaultPacketDecompressionBudget)
    #expect(packet.errors.count == 3)
    #expect(packet.errors.allSatisfy { $0.kind == .tooLarge })
    #expect(packet.exceededLimits)
    // Within the budget, several envelopes still decode.
    let small = Compression.wrap(Self.emptyUser + [UInt8](repeating: 0, count: 100_000))
    let fine = PacketCodec().decode(try Compound.encode([small, small, small]))
    #expect(fine.messages.count == 3)
    #expect(fine.errors.isEmpty)
  }

  @Test("each decompression is charged its table set-up: many tiny envelopes are cut off")
  func decompressionSetupCost() throws {
    let tiny = Compression.wrap(Message.ack(Ack(seqNo: 1)).encoded())
    let packet = PacketCodec().decode(try Compound.encode(Array(repeating: tiny, count: 255)))
    let allowed = WireOptions.defaultPacketDecompressionBudget / PacketCodec.decompressionSetupCost
    #expect(packet.messages.count < allowed)
    #expect(packet.exceededLimits)
  }
}

/// Names, metadata and version bytes from the network are bounded.
@Suite("Member field limits")
struct MemberLimitTests {
  @Test("an alive with metadata over 512 bytes or a name over 255 is a decode error")
  func aliveLimits() {
    let fine = Alive(
      incarnation: 1, node: String(repeating: "a", count: 255), addr: [127, 0, 0, 1], port: 1,
      meta: [UInt8](repeating: 1, count: 512), vsn: [1, 5, 2, 2, 5, 4])
    #expect(PacketCodec().decode(Message.alive(fine).encoded()).errors.isEmpty)
    var bigMeta = fine
    bigMeta.meta.append(1)
    var longName = fine
    longName.node += "a"
    var longVersions = fine
    longVersions.vsn = [UInt8](repeating: 1, count: 17)
    for bad in [bigMeta, longName, longVersions] {
      let packet = PacketCodec().decode(Message.alive(bad).encoded())
      #expect(packet.messages.isEmpty)
      #expect(packet.errors.map(\.kind) == [.tooLarge])
    }
  }

  @Test("suspect and dead names, and Serf intent names, are bounded too")
  func otherNames() throws {
    let long = String(repeating: "x", count: 256)
    for message in [
      Message.suspect(Suspect(incarnation: 1, node: long, from: "a")),
      .suspect(Suspect(incarnation: 1, node: "a", from: long)),
      .dead(Dead(incarnation: 1, node: long, from: "a")),
    ] {
      #expect(PacketCodec().decode(message.encoded()).errors.map(\.kind) == [.tooLarge])
    }
    for serf in [
      SerfMessage.join(SerfJoin(lamportTime: 1, node: long)),
      .leave(SerfLeave(lamportTime: 1, node: long)),
      .pushPull(SerfPushPull(lamportTime: 1, statusLamportTimes: [long: 1])),
      .pushPull(SerfPushPull(lamportTime: 1, leftMembers: [long])),
    ] {
      #expect(throws: WireError.self) { try SerfMessage(decoding: serf.encoded()[...]) }
    }
  }

  @Test("a push-pull state over the limits is flagged, not fatal to the rest")
  func pushPullState() throws {
    let good = PushNodeState(name: "a", addr: [127, 0, 0, 1], port: 1, incarnation: 1)
    let bad = PushNodeState(
      name: "b", addr: [127, 0, 0, 1], port: 2, meta: [UInt8](repeating: 0, count: 600),
      incarnation: 1)
    let message = Message.pushPull(PushPull(states: [good, bad, good])).encoded(for: .stream)
    var reader = try PushPullReader(MessagePackReader(message.dropFirst()))
    var flags: [Bool] = []
    while let state = try reader.next() { flags.append(state.isWithinLimits) }
    #expect(flags == [true, false, true])
  }
}

/// Serf's push-pull state is bounded by Serf's own sizes.
@Suite("Serf state limits")
struct SerfStateLimitTests {
  @Test("an event ring over 65,536 slots is refused instead of built slot by slot")
  func eventSlots() throws {
    let fine = SerfMessage.pushPull(
      SerfPushPull(events: [SerfEventBatch?](repeating: nil, count: 512)))
    #expect(try SerfMessage(decoding: fine.encoded()[...]) == fine)
    // A million empty slots: a megabyte of 0xc0, a few kilobytes compressed.
    let huge = SerfMessage.pushPull(
      SerfPushPull(events: [SerfEventBatch?](repeating: nil, count: 1_000_000))
    ).encoded()
    #expect(LZW.compress(huge).count < 20_000)
    #expect(throws: WireError.self) { try SerfMessage(decoding: huge[...]) }
  }

  @Test("user events in the ring are bounded in all")
  func events() throws {
    let batch = SerfEventBatch(
      lamportTime: 1, events: [SerfEvent](repeating: SerfEvent(), count: 40_000))
    let state = SerfMessage.pushPull(SerfPushPull(events: [batch, batch])).encoded()
    #expect(throws: WireError.self) { try SerfMessage(decoding: state[...]) }
    let one = SerfMessage.pushPull(SerfPushPull(events: [batch, nil])).encoded()
    #expect(throws: Never.self) { try SerfMessage(decoding: one[...]) }
  }
}
