import RumorWire
import Testing

@testable import RumorCore

@Suite("Serf's name conflicts: _serf_conflict answered, and this node's own conflict resolved")
struct NameConflictTests {
  /// A started "n0" that knows n1…n`others`.
  func node(knowing others: Int, serf: SerfSettings = SerfSettings()) throws -> ClusterNode {
    var node = try ClusterNode(name: "n0", address: address(0), serf: serf, seed: 1)
    _ = node.start(now: at(0))
    for index in stride(from: 1, through: others, by: 1) {
      _ = node.receivePacket(
        Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
    }
    return node
  }

  func user(_ message: SerfMessage) -> [UInt8] {
    Message.user(UserMessage(payload: message.encoded())).encoded()
  }

  /// The conflict answer `node` sends to a `_serf_conflict` query about
  /// `subject`, nil when it sends none (the ack aside).
  func answer(of node: inout ClusterNode, about subject: String, time: UInt64) throws
    -> [UInt8]?
  {
    let query = SerfMessage.query(
      SerfQuery(
        lamportTime: time, id: UInt32(time), addr: [127, 0, 0, 9], port: 7000, sourceNode: "dup",
        flags: SerfQuery.ackFlag, timeoutNanoseconds: 5_000_000_000, name: "_serf_conflict",
        payload: Array(subject.utf8)))
    let effects = node.receivePacket(user(query), from: address(9), now: at(1))
    for sent in sentMessages(effects) where sent.to == NodeAddress(ipv4: 127, 0, 0, 9, port: 7000) {
      guard case .user(let message) = sent.message,
        case .queryResponse(let response) = try SerfMessage(decoding: message.payload[...]),
        response.flags & SerfQueryResponse.ackFlag == 0
      else { continue }
      return response.payload
    }
    return nil
  }

  @Test(
    "a conflict query is answered with the record known for the name, in Serf's Member encoding")
  func answersWithTheKnownRecord() throws {
    var node = try node(knowing: 1)
    let tags = try SerfTags.encode(["role": "web"])
    _ = node.receivePacket(
      Message.alive(alive(1, incarnation: 2, meta: tags)).encoded(), from: address(1), now: at(0))
    let payload = try #require(try answer(of: &node, about: "n1", time: 5))
    #expect(payload.first == 6)
    let member = try #require(try SerfConflictResponse.decode(payload))
    #expect(member.name == "n1")
    #expect(NodeAddress(ip: member.addr, port: member.port) == address(1))
    #expect(member.tags == ["role": "web"])
    #expect(member.status == 1)
    #expect(member.versions == Array(ProtocolVersions.rumor.bytes))
    #expect(node.serf?.counters.conflictQueriesAnswered == 1)
    // An unknown name: Serf's nil Member.
    #expect(try answer(of: &node, about: "nobody", time: 6) == [6, 0xc0])
    // About this node itself: no answer, as in Serf.
    #expect(try answer(of: &node, about: "n0", time: 7) == nil)
  }

  @Test("Serf's Member encoding round-trips and decodes Go's field order; bad answers are errors")
  func memberEncoding() throws {
    let member = SerfConflictMember(
      name: "dup", addr: [127, 0, 0, 2], port: 7946, tags: ["a": "b"], status: 4,
      versions: [1, 5, 2, 2, 5, 4])
    #expect(try SerfConflictResponse.decode(SerfConflictResponse.encode(member)) == member)
    #expect(try SerfConflictResponse.decode(SerfConflictResponse.encode(nil)) == nil)
    #expect(throws: WireError.self) { try SerfConflictResponse.decode([8, 0xc0]) }
    #expect(throws: WireError.self) { try SerfConflictResponse.decode([6, 0x81, 0xa4]) }
    #expect(throws: WireError.self) { try SerfConflictResponse.decode([]) }
    // Go writes the fields in declaration order, with Tags nil when empty.
    var writer = MessagePackWriter()
    writer.writeMapHeader(count: 4)
    writer.writeString("Name")
    writer.writeString("x")
    writer.writeString("Addr")
    writer.writeRaw([10, 0, 0, 1])
    writer.writeString("Port")
    writer.writeUnsigned(8000)
    writer.writeString("Tags")
    writer.writeNil()
    let decoded = try #require(try SerfConflictResponse.decode([6] + writer.bytes))
    #expect(decoded.name == "x" && decoded.addr == [10, 0, 0, 1] && decoded.port == 8000)
    #expect(decoded.tags.isEmpty)
  }

  @Test("another member's name claimed from a second address is counted and refused")
  func otherMembersConflict() throws {
    var node = try node(knowing: 2)
    let claim = Alive(
      incarnation: 5, node: "n1", addr: address(7).ipBytes, port: address(7).port, meta: [],
      vsn: ProtocolVersions.rumor.bytes)
    _ = node.receivePacket(Message.alive(claim).encoded(), from: address(7), now: at(1))
    #expect(node.swim.member(named: "n1")?.address == address(1))
    #expect(node.swim.counters.nameConflicts == 1)
    #expect(node.serf?.counters.nameConflicts == 1)
    #expect(node.conflictVote == nil, "only this node's own name starts a vote")
  }

  /// Makes `node` see its own name claimed from address 7, then has the
  /// members in `answers` answer with the address each names, and runs
  /// the query to its end.
  func resolve(_ node: inout ClusterNode, answers: [(from: String, names: NodeAddress?)]) throws
    -> [Effect]
  {
    let claim = Alive(
      incarnation: 9, node: "n0", addr: address(7).ipBytes, port: address(7).port, meta: [],
      vsn: ProtocolVersions.rumor.bytes)
    var effects = node.receivePacket(Message.alive(claim).encoded(), from: address(7), now: at(1))
    let vote = try #require(node.conflictVote)
    #expect(vote.claimedBy == address(7))
    for (from, named) in answers {
      let record = named.map {
        SerfConflictMember(name: "n0", addr: $0.ipBytes, port: $0.port, status: 1)
      }
      let response = SerfMessage.queryResponse(
        SerfQueryResponse(
          lamportTime: vote.handle.lamportTime, id: vote.handle.id, from: from,
          payload: SerfConflictResponse.encode(record)))
      effects += node.receivePacket(user(response), from: address(1), now: at(1.5))
    }
    var steps = 0
    while node.conflictVote != nil, let deadline = node.nextDeadline, steps < 10_000 {
      effects += node.tick(now: deadline)
      steps += 1
    }
    return effects
  }

  func lost(_ effects: [Effect]) -> NameConflictVote? {
    for effect in effects { if case .nameConflictLost(let vote) = effect { return vote } }
    return nil
  }

  @Test("this node's name claimed elsewhere: it asks, and stops when most answers name the other")
  func losesToTheMajority() throws {
    var node = try node(knowing: 3)
    let effects = try resolve(
      &node, answers: [("n1", address(7)), ("n2", address(7)), ("n3", address(0))])
    let vote = try #require(lost(effects))
    #expect(vote.responses == 3 && vote.matching == 1)
    #expect(node.serf?.counters.nameConflictsLost == 1)
    #expect(
      !effects.contains { if case .queryReply = $0 { true } else { false } },
      "the vote's replies are the node's own, not the application's")
  }

  @Test("it keeps its name when most answers name its own address, and refutes nothing")
  func winsTheMajority() throws {
    var node = try node(knowing: 3)
    let incarnation = node.swim.member(named: "n0")?.incarnation
    let effects = try resolve(
      &node, answers: [("n1", address(0)), ("n2", address(0)), ("n3", nil)])
    #expect(lost(effects) == nil)
    #expect(node.serf?.counters.nameConflictsWon == 1)
    #expect(node.swim.member(named: "n0")?.incarnation == incarnation)
    #expect(node.swim.member(named: "n0")?.address == address(0))
  }

  @Test("with no answer at all it loses, as Serf does; with resolution off it only counts")
  func noAnswersAndResolutionOff() throws {
    var node = try node(knowing: 1)
    let vote = try #require(lost(try resolve(&node, answers: [])))
    #expect(vote.responses == 0)

    var settings = SerfSettings()
    settings.resolvesNameConflicts = false
    var quiet = try self.node(knowing: 1, serf: settings)
    let claim = Alive(
      incarnation: 9, node: "n0", addr: address(7).ipBytes, port: address(7).port, meta: [],
      vsn: ProtocolVersions.rumor.bytes)
    _ = quiet.receivePacket(Message.alive(claim).encoded(), from: address(7), now: at(1))
    #expect(quiet.conflictVote == nil)
    #expect(quiet.serf?.counters.nameConflicts == 1)
  }

  @Test("garbage answers are dropped and counted, never crash")
  func garbageAnswers() {
    var vote = NameConflictVote(
      handle: QueryHandle(lamportTime: 1, id: 1), address: address(0), claimedBy: address(7))
    for payload: [UInt8] in [[], [6], [6, 0x81], [6, 0xde, 0xff, 0xff], [7, 0xc0], [6, 0x92]] {
      vote.count(payload)
    }
    vote.count([6, 0xc0])
    #expect(vote.malformed == 6 && vote.responses == 1 && vote.matching == 0)
  }
}
