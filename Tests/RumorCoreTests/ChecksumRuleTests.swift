import RumorWire
import Testing

@testable import RumorCore

/// Which packets carry memberlist's CRC header (type 12): as memberlist
/// really sends them, probes, acks, indirect pings, relayed pings and
/// nacks (its generic send path) go out without one; gossip and the ping
/// and suspicion sent together to a suspect carry one (to members of
/// protocol 5, as every Rumor and Serf member is).
@Suite("The CRC header on sent packets")
struct ChecksumRuleTests {
  /// One sent datagram, decoded: its messages and whether it had a CRC.
  struct Sent {
    var messages: [Message]
    var types: [MessageType] { messages.map(\.type) }
    var hasChecksum: Bool
    var to: NodeAddress
  }

  func sent(_ effects: [Effect]) -> [Sent] {
    effects.compactMap { effect in
      guard case .send(let bytes, let target) = effect else { return nil }
      let packet = PacketCodec().decode(bytes)
      #expect(packet.errors.isEmpty)
      return Sent(
        messages: packet.messages.map(\.message), hasChecksum: packet.checksum != nil, to: target)
    }
  }

  /// Lifeguard's ping to a suspect with its suspicion attached: exactly a
  /// ping and a suspicion about the pinged member (a ping with news
  /// piggybacked is something else).
  static func isPingWithSuspicion(_ sent: Sent) -> Bool {
    guard sent.messages.count == 2, case .ping(let ping) = sent.messages[0],
      case .suspect(let suspect) = sent.messages[1]
    else { return false }
    return ping.node == suspect.node
  }

  static let probeTypes: Set<MessageType> = [.ping, .ack, .indirectPing, .nack]

  @Test(
    "for every preset, probes and indirect probes carry none and gossip carries one",
    arguments: Preset.allCases)
  func probesWithoutGossipWith(preset: Preset) throws {
    let settings = SWIMSettings(profile: .lan, preset: preset)
    // Nobody answers: direct probes time out, indirect probes go out,
    // members are suspected and then probed with the suspicion attached.
    var node = try makeNode(knowing: 4, settings: settings)
    let packets = sent(run(&node, from: 0, to: 6))
    let probes = packets.filter {
      Self.probeTypes.contains($0.types[0]) && !Self.isPingWithSuspicion($0)
    }
    let gossip = packets.filter { !Self.probeTypes.contains($0.types[0]) }
    #expect(probes.contains { $0.types[0] == .ping })
    #expect(probes.contains { $0.types[0] == .indirectPing })
    #expect(!gossip.isEmpty)
    #expect(probes.allSatisfy { !$0.hasChecksum }, "\(probes.filter(\.hasChecksum).map(\.types))")
    #expect(
      gossip.allSatisfy { $0.hasChecksum }, "\(gossip.filter { !$0.hasChecksum }.map(\.types))")
  }

  @Test(
    "for every preset, the ping to a suspect with its suspicion attached carries one",
    arguments: Preset.allCases)
  func pingWithSuspicionWith(preset: Preset) throws {
    var node = try makeNode(knowing: 1, settings: SWIMSettings(profile: .lan, preset: preset))
    _ = node.receive(
      .suspect(Suspect(incarnation: 1, node: "n1", from: "n2")), from: address(2), now: at(0))
    let packets = sent(run(&node, from: 0, to: 2))
    let suspectProbes = packets.filter(Self.isPingWithSuspicion)
    #expect(!suspectProbes.isEmpty)
    #expect(suspectProbes.allSatisfy { $0.hasChecksum })
  }

  @Test("an ack, a relayed ping and a nack carry none")
  func answersWithout() throws {
    var node = try makeNode(knowing: 3)
    let ping = Ping(
      seqNo: 7, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    let ack = sent(node.receive(.ping(ping), from: address(1), now: at(0.1)))
    #expect(ack.map(\.types.first) == [.ack])
    #expect(ack.allSatisfy { !$0.hasChecksum })
    let request = IndirectPing(
      seqNo: 8, target: address(2).ipBytes, port: address(2).port, node: "n2", nack: true,
      sourceAddr: address(1).ipBytes, sourcePort: address(1).port, sourceNode: "n1")
    let relayed = sent(node.receive(.indirectPing(request), from: address(1), now: at(0.2)))
    #expect(relayed.map(\.types.first) == [.ping])
    #expect(relayed.allSatisfy { !$0.hasChecksum })
    // n2 never answers: the requester gets a nack at the probe timeout.
    let later = sent(run(&node, from: 0.2, to: 1.0)).filter { $0.to == address(1) }
    let nacks = later.filter { $0.types.first == .nack }
    #expect(nacks.count == 1)
    #expect(nacks.allSatisfy { !$0.hasChecksum })
  }

  @Test("a ping is answered with or without a CRC, and one with a wrong CRC is dropped")
  func receivesBoth() throws {
    var node = try makeNode(knowing: 1)
    let codec = PacketCodec()
    for (sequence, checksum) in [(UInt32(1), false), (2, true)] {
      let ping = Ping(
        seqNo: sequence, node: "n0", sourceAddr: address(1).ipBytes,
        sourcePort: address(1).port, sourceNode: "n1")
      let packet = try codec.seal(Message.ping(ping).encoded(), checksum: checksum)
      let answer = sent(node.receivePacket(packet, from: address(1), now: at(0.1)))
      #expect(answer.map(\.types.first) == [.ack], "checksum \(checksum)")
    }
    let ping = Ping(
      seqNo: 3, node: "n0", sourceAddr: address(1).ipBytes, sourcePort: address(1).port,
      sourceNode: "n1")
    var corrupt = try codec.seal(Message.ping(ping).encoded(), checksum: true)
    corrupt[1] ^= 0xff
    #expect(sent(node.receivePacket(corrupt, from: address(1), now: at(0.2))).isEmpty)
  }
}
