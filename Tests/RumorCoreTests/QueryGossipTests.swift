import RumorWire
import Testing

@testable import RumorCore

@Suite("A re-gossiped Serf query's few sends go to members that lack it")
struct QueryGossipTests {
  /// The asker, n1: the query's answer address.
  let asker = address(1)

  /// A started node n0 (local profile: each broadcast is sent twice in
  /// clusters up to nine) that knows n1 … n`others`, all alive.
  func node(knowing others: Int) throws -> ClusterNode {
    var node = try ClusterNode(
      name: "n0", address: address(0), settings: SWIMSettings(profile: .local), seed: 1)
    _ = node.start(now: at(0))
    for index in 1...others {
      _ = node.receivePacket(packet(.alive(alive(index))), from: address(index), now: at(0))
    }
    return node
  }

  /// One unencrypted datagram holding `message`.
  func packet(_ message: Message) -> [UInt8] {
    (try? PacketCodec().seal(message.encoded(), checksum: false)) ?? []
  }

  /// n1's query, as gossip brings it.
  var query: Message {
    .user(
      UserMessage(
        payload: SerfMessage.query(
          SerfQuery(
            lamportTime: 5, id: 7, addr: asker.ipBytes, port: asker.port, sourceNode: "n1",
            timeoutNanoseconds: 1_600_000_000, name: "_serf_list-keys", payload: [])
        ).encoded()))
  }

  /// Where the sends in `effects` carried the query.
  func queryDestinations(_ effects: [Effect]) -> [NodeAddress] {
    sentMessages(effects).compactMap { sent in
      guard case .user(let user) = sent.message,
        case .query(let query)? = try? SerfMessage(decoding: user.payload[...]), query.id == 7
      else { return nil }
      return sent.to
    }
  }

  @Test(
    "the ack to the asker's ping does not carry its query back; the third member gets both sends")
  func askerSkipped() throws {
    var node = try node(knowing: 2)
    let start = 0.95
    _ = run(&node, from: 0, to: start)
    var effects = node.receivePacket(packet(query), from: asker, now: at(start))
    // The asker pings right after its gossip: the ack goes back to it.
    let ping = Ping(
      seqNo: 1, node: "n0", sourceAddr: asker.ipBytes, sourcePort: asker.port, sourceNode: "n1")
    let ack = node.receivePacket(packet(.ping(ping)), from: asker, now: at(start))
    #expect(sentMessages(ack).contains { if case .ack = $0.message { true } else { false } })
    effects += ack
    effects += run(&node, from: start, to: 3)
    // Before: the ack carried the query to n1 and n1 could be the next
    // gossip round's first target too, so n2 might never get it.
    #expect(!queryDestinations(effects).contains(asker))
    #expect(queryDestinations(effects) == [address(2), address(2)])
    #expect(node.swim.pendingUserMessages == 0)
  }

  @Test("with nobody else to take it, the query still goes to the asker and leaves the queue")
  func askerAlone() throws {
    var node = try node(knowing: 1)
    var effects = node.receivePacket(packet(query), from: asker, now: at(1))
    effects += run(&node, from: 1, to: 3)
    #expect(queryDestinations(effects) == [asker, asker])
    #expect(node.swim.pendingUserMessages == 0)
  }
}
