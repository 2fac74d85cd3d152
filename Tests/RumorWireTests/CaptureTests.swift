import Foundation
import Testing

@testable import RumorWire

/// The key of the encrypted Serf capture (`serf keygen`, 32 bytes).
let serfCaptureKey = Array(
  Data(base64Encoded: "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y=") ?? Data())

/// The key of the encrypted memberlist 0.2.2 capture: 00 01 … 0f.
let memberlistCaptureKey = (0..<16).map { UInt8($0) }

@Suite("Real captures from memberlist 0.2.2 and Serf 0.9.4")
struct CaptureTests {
  @Test(
    "every Serf payload decodes into the messages the reference decoder found, field by field",
    arguments: ["serf-2node-plain.jsonl", "serf-2node-encrypted.jsonl"])
  func serfCapturesMatchReference(file: String) throws {
    let encrypted = file.contains("encrypted")
    let options = WireOptions(keyring: encrypted ? try Keyring(keys: [serfCaptureKey]) : nil)
    let records = try captureRecords(file)
    #expect(records.count > 30)
    var leafCount = 0
    for record in records {
      let ours = try decodeRecord(record, options: options)
      let expected = pythonLeaves(record.decoded)
      try #require(
        ours.count == expected.count,
        "\(record.label): \(ours.count) messages, reference has \(expected.count)")
      for (message, reference) in zip(ours, expected) {
        try compare(message, reference, record: record)
        leafCount += 1
      }
    }
    #expect(leafCount >= records.count)
  }

  private func decodeRecord(_ record: CaptureRecord, options: WireOptions) throws -> [Message] {
    if record.isStream {
      let codec = StreamCodec(options: options)
      var messages: [Message] = []
      var rest = record.bytes[...]
      while !rest.isEmpty {
        let decoded = try codec.decode(rest)
        messages.append(decoded.message)
        rest = rest.dropFirst(decoded.consumedCount)
      }
      return messages
    }
    let packet = PacketCodec(options: options).decode(record.bytes)
    #expect(packet.errors.isEmpty, "\(record.label): \(packet.errors)")
    return packet.messages.map(\.message)
  }

  private func compare(_ message: Message, _ reference: [String: Any], record: CaptureRecord)
    throws
  {
    let type = reference["type"] as? String
    switch message {
    case .user(let user):
      #expect(type == "user", "\(record.label)")
      let inner = try #require(reference["inner"] as? [String: Any])
      let serf = try #require(try user.serfMessage())
      let serfType = SerfMessageType(rawValue: serf.typeByte)
      #expect(inner["serf"] as? String == serfType.map(pythonSerfName), "\(record.label)")
      var reader = MessagePackReader(serf.encoded())
      _ = try reader.readByte()
      let body = pythonStyle(try reader.readValue())
      #expect(sameJSON(body, inner["body"] ?? NSNull()), "\(record.label): \(body)")
    case .pushPull(let pushPull):
      #expect(type == "pushPull", "\(record.label)")
      var reader = MessagePackReader(message.encoded(for: .stream))
      _ = try reader.readByte()
      let header = pythonStyle(try reader.readValue())
      #expect(sameJSON(header, reference["header"] ?? NSNull()), "\(record.label) header")
      let nodes = try #require(reference["nodes"] as? [[String: Any]])
      #expect(nodes.count == pushPull.states.count)
      for (state, node) in zip(pushPull.states, nodes) {
        var expected = node
        let tags = expected.removeValue(forKey: "meta_tags") as? [String: String]
        let body = pythonStyle(try reader.readValue())
        #expect(sameJSON(body, expected), "\(record.label) node \(state.name)")
        if let tags { #expect(try SerfTags.decode(state.meta) == tags) }
      }
      let userState = try #require(reference["user_state"] as? [String: Any])
      let serf = try SerfMessage(decoding: pushPull.userState[...])
      guard case .pushPull(let serfState) = serf else {
        Issue.record("\(record.label): user state is not a Serf push-pull")
        return
      }
      #expect(serfState.events.count == 512)
      var serfReader = MessagePackReader(serf.encoded())
      _ = try serfReader.readByte()
      let serfBody = pythonStyle(try serfReader.readValue())
      #expect(sameJSON(serfBody, userState["body"] ?? NSNull()), "\(record.label) serf state")
    default:
      #expect(type == pythonName(message.type), "\(record.label)")
      let body = pythonStyle(try reencodedBody(message))
      #expect(sameJSON(body, reference["body"] ?? NSNull()), "\(record.label): \(body)")
      if case .alive(let alive) = message, let tags = reference["meta_tags"] as? [String: String] {
        #expect(try SerfTags.decode(alive.meta) == tags)
      }
    }
  }

  @Test(
    "re-encoding every decoded Serf packet and stream gives the captured bytes",
    arguments: ["serf-2node-plain.jsonl", "serf-2node-encrypted.jsonl"])
  func serfCapturesReencodeByteForByte(file: String) throws {
    let keyring = file.contains("encrypted") ? try Keyring(keys: [serfCaptureKey]) : nil
    let options = WireOptions(keyring: keyring)
    for record in try captureRecords(file) {
      if record.isStream {
        try expectStreamGolden(record.bytes, options: options, label: record.label)
        continue
      }
      let packet = PacketCodec(options: options).decode(record.bytes)
      var rebuilt = try rebuildPlaintext(packet)
      if let keyring, let nonce = record.nonce {
        #expect(packet.keyIndex == 0)
        rebuilt = try keyring.seal(rebuilt, nonce: nonce)
      }
      #expect(rebuilt == record.bytes, "\(record.label)")
    }
  }

  @Test(
    "memberlist 0.2.2 captures decode without error and re-encode byte for byte",
    arguments: [
      ("captures-ml022.txt", false), ("captures-ml022-compress.txt", false),
      ("captures-ml022-encrypt.txt", true),
    ])
  func memberlistCaptures(file: String, encrypted: Bool) throws {
    let keyring = encrypted ? try Keyring(keys: [memberlistCaptureKey]) : nil
    let options = WireOptions(keyring: keyring)
    let transfers = try loggedTransfers(file)
    #expect(transfers.count == 16)  // 4 stream writes and reads, 12 datagrams
    for transfer in transfers {
      if transfer.isStream {
        try expectStreamGolden(transfer.bytes, options: options, label: transfer.description)
        continue
      }
      let packet = PacketCodec(options: options).decode(transfer.bytes)
      #expect(packet.errors.isEmpty, "\(transfer.description): \(packet.errors)")
      #expect(!packet.messages.isEmpty)
      var rebuilt = try rebuildPlaintext(packet)
      if let keyring {
        // The nonce is the 12 bytes after the version byte.
        rebuilt = try keyring.seal(rebuilt, nonce: Array(transfer.bytes[1..<13]))
      }
      #expect(rebuilt == transfer.bytes, "\(transfer.description)")
    }
  }

  @Test("the memberlist join push-pull carries node-b with its tags, versions and user state")
  func memberlistJoinContents() throws {
    let transfers = try loggedTransfers("captures-ml022.txt")
    let request = try #require(transfers.first { $0.isStream })
    let decoded = try StreamCodec().decode(request.bytes[...])
    guard case .pushPull(let pushPull) = decoded.message else {
      Issue.record("not a push-pull: \(decoded.message)")
      return
    }
    #expect(pushPull.join)
    #expect(pushPull.userState == Array("US".utf8))
    let state = try #require(pushPull.states.first)
    #expect(state.name == "node-b")
    #expect(state.addr == [127, 0, 0, 1])
    #expect(state.port == 17947)
    #expect(state.state == .alive)
    #expect(state.incarnation == 1)
    #expect(try SerfTags.decode(state.meta) == ["role": "web"])
    #expect(
      ProtocolVersions(state.vsn)
        == ProtocolVersions(
          protocolMin: 1, protocolMax: 5, protocolCurrent: 2, delegateMin: 2, delegateMax: 5,
          delegateCurrent: 5))
    #expect(decoded.consumedCount == request.bytes.count)
  }

  @Test("the memberlist leave is a dead message from the node itself inside a CRC packet")
  func memberlistLeaveContents() throws {
    let transfers = try loggedTransfers("captures-ml022.txt")
    let leave = try #require(transfers.first { $0.bytes.count == 44 })
    let packet = PacketCodec().decode(leave.bytes)
    #expect(packet.checksum == 0x3e98_6d0f)
    #expect(
      packet.messages.map(\.message) == [
        .dead(Dead(incarnation: 1, node: "node-b", from: "node-b"))
      ])
    guard case .dead(let dead) = packet.messages.first?.message else { return }
    #expect(dead.isLeave)
  }

  @Test(
    "Serf sends probes and acks without a CRC and gossip with one, the rule Rumor's core follows",
    arguments: ["serf-2node-plain.jsonl", "serf-2node-encrypted.jsonl"])
  func serfChecksumPractice(file: String) throws {
    let encrypted = file.contains("encrypted")
    let codec = PacketCodec(
      options: WireOptions(keyring: encrypted ? try Keyring(keys: [serfCaptureKey]) : nil))
    let probeTypes: Set<MessageType> = [.ping, .ack, .indirectPing, .nack]
    var probes = 0
    var gossip = 0
    var suspectProbes = 0
    for record in try captureRecords(file) where !record.isStream {
      let packet = codec.decode(record.bytes)
      guard let first = packet.messages.first?.message else { continue }
      let types = packet.messages.map(\.message.type)
      // Lifeguard's ping to a suspect with the suspicion attached goes
      // through the path that knows the node: it carries one.
      if packet.messages.count == 2, case .ping(let ping) = first,
        case .suspect(let suspect) = packet.messages[1].message, ping.node == suspect.node
      {
        suspectProbes += 1
        #expect(packet.checksum != nil, "\(record.label): \(types)")
        continue
      }
      if probeTypes.contains(first.type) {
        probes += 1
        #expect(packet.checksum == nil, "\(record.label): \(types)")
      } else {
        gossip += 1
        #expect(packet.checksum != nil, "\(record.label): \(types)")
      }
    }
    #expect(probes > 0)
    #expect(gossip > 0)
    // Only the plain capture has a member suspected.
    #expect(suspectProbes > 0 || encrypted)
  }

  private func expectStreamGolden(_ bytes: [UInt8], options: WireOptions, label: String) throws {
    let codec = StreamCodec(options: options)
    let decoded = try codec.decode(bytes[...])
    #expect(decoded.consumedCount == bytes.count, "\(label)")
    var plain = decoded.message.encoded(for: .stream)
    if decoded.compressed { plain = Compression.wrap(plain) }
    guard let keyring = options.keyring else {
      #expect(plain == bytes, "\(label)")
      return
    }
    #expect(decoded.encryptionVersion == 1)
    let header = Array(bytes[0..<5])
    let sealed = try keyring.seal(plain, additionalData: header, nonce: Array(bytes[6..<18]))
    #expect(header + sealed == bytes, "\(label)")
  }
}

/// The Python decoder's message type names.
func pythonName(_ type: MessageType) -> String {
  switch type {
  case .ping: "ping"
  case .indirectPing: "indirectPing"
  case .ack: "ack"
  case .suspect: "suspect"
  case .alive: "alive"
  case .dead: "dead"
  case .pushPull: "pushPull"
  case .compound: "compound"
  case .user: "user"
  case .compress: "compress"
  case .encrypt: "encrypt"
  case .nack: "nack"
  case .hasCRC: "hasCrc"
  case .error: "err"
  case .hasLabel: "label"
  }
}

/// The Python decoder's Serf type names.
func pythonSerfName(_ type: SerfMessageType) -> String {
  switch type {
  case .leave: "leave"
  case .join: "join"
  case .pushPull: "pushPull"
  case .userEvent: "userEvent"
  case .query: "query"
  case .queryResponse: "queryResponse"
  default: type.name
  }
}
