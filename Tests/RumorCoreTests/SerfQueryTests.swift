import RumorWire
import Testing

@testable import RumorCore

@Suite("Serf queries in the layer")
struct SerfQueryTests {
  func query(
    _ time: UInt64, id: UInt32 = 1, name: String = "uptime", flags: UInt32 = SerfQuery.ackFlag,
    filters: [SerfQueryFilter] = [], relayFactor: UInt8 = 0
  ) -> [UInt8] {
    SerfMessage.query(
      SerfQuery(
        lamportTime: time, id: id, addr: [127, 0, 0, 9], port: 7000, sourceNode: "asker",
        filters: filters.map { $0.encoded() }, flags: flags, relayFactor: relayFactor,
        timeoutNanoseconds: 5_000_000_000, name: name, payload: [1, 2])
    ).encoded()
  }

  func layer(tags: [String: String] = ["role": "web-1"]) throws -> SerfLayer {
    var layer = try SerfLayer(name: "me")
    layer.setTags(tags)
    return layer
  }

  @Test("a new query is acked to its sender, handed on, and re-gossiped; a repeat is not")
  func queryAckedOnce() throws {
    var serf = try layer()
    let outcome = serf.receive(query(5), now: at(0))
    #expect(outcome.broadcasts == [query(5)])
    #expect(outcome.queries.map(\.name) == ["uptime"])
    #expect(outcome.queries.first?.deadline == at(5))
    let ack = try #require(outcome.directMessages.first)
    #expect(ack.address == NodeAddress(ipv4: 127, 0, 0, 9, port: 7000))
    guard case .queryResponse(let response) = try SerfMessage(decoding: ack.bytes[...]) else {
      Issue.record("the ack is not a query response")
      return
    }
    #expect(response.flags == SerfQueryResponse.ackFlag && response.from == "me")
    #expect(response.id == 1 && response.lamportTime == 5)
    #expect(serf.receive(query(5), now: at(1)).isEmpty)
    #expect(serf.counters.queriesRepeated == 1)
  }

  @Test("Serf's own ping is acked but never handed to the application")
  func internalPing() throws {
    var serf = try layer()
    let outcome = serf.receive(query(5, name: "_serf_ping"), now: at(0))
    #expect(outcome.directMessages.count == 1)
    #expect(outcome.queries.isEmpty)
  }

  @Test("node and tag filters select members; one that is left out still re-gossips")
  func filters() throws {
    var serf = try layer()
    #expect(
      serf.receive(query(5, id: 1, filters: [.nodes(["me", "x"])]), now: at(0)).queries.count == 1)
    let other = serf.receive(query(5, id: 2, filters: [.nodes(["x"])]), now: at(0))
    #expect(other.queries.isEmpty && other.directMessages.isEmpty && other.broadcasts.count == 1)
    #expect(
      serf.receive(query(6, filters: [.tag(name: "role", expression: "^web-\\d$")]), now: at(0))
        .queries.count == 1)
    #expect(
      serf.receive(query(7, filters: [.tag(name: "role", expression: "^db")]), now: at(0)).queries
        .isEmpty)
    // Outside the supported subset: nobody is selected, and it is counted.
    #expect(
      serf.receive(query(8, filters: [.tag(name: "role", expression: "a{2}")]), now: at(0)).queries
        .isEmpty)
    #expect(serf.counters.unsupportedTagExpressions == 1)
  }

  @Test("a response goes to the asker before the deadline, within the size limit")
  func responding() throws {
    var serf = try layer()
    let incoming = try #require(serf.receive(query(5), now: at(0)).queries.first)
    let response = try serf.response(to: incoming, payload: Array("up 3 days".utf8), now: at(1))
    guard case .queryResponse(let decoded) = try SerfMessage(decoding: response.bytes[...]) else {
      Issue.record("not a query response")
      return
    }
    #expect(decoded.payload == Array("up 3 days".utf8) && decoded.flags == 0)
    #expect(throws: QueryResponseError.self) {
      _ = try serf.response(to: incoming, payload: [], now: at(6))
    }
    #expect(throws: QueryResponseError.self) {
      _ = try serf.response(to: incoming, payload: Array(repeating: 0, count: 1025), now: at(1))
    }
  }

  @Test("a ClusterNode acks straight to the asker and through the relay members")
  func relayedAck() throws {
    var node = try ClusterNode(name: "n0", address: address(0), seed: 1)
    _ = node.start(now: at(0))
    for index in 1...3 {
      _ = node.receivePacket(
        Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
    }
    let packet = Message.user(UserMessage(payload: query(5, relayFactor: 2))).encoded()
    let effects = node.receivePacket(packet, from: address(1), now: at(1))
    let targets = sentMessages(effects).map(\.to)
    #expect(targets.filter { $0 == NodeAddress(ipv4: 127, 0, 0, 9, port: 7000) }.count == 1)
    #expect(targets.filter { $0 != NodeAddress(ipv4: 127, 0, 0, 9, port: 7000) }.count == 2)
    #expect(effects.contains { if case .query = $0 { true } else { false } })
  }
}

@Suite("Tag expressions of query filters")
struct TagExpressionTests {
  @Test(
    "the RE2 subset matches as Go's MatchString does",
    arguments: [
      ("web", "a-web-1", true), ("^web", "a-web", false), ("^web-[0-9]+$", "web-12", true),
      ("^web-[0-9]+$", "web-12x", false), ("a|b", "xbx", true), ("^(?:ab)*$", "abab", true),
      ("^(ab)*$", "aba", false), ("colou?r", "color", true), ("\\.", "a.b", true),
      ("\\.", "ab", false), ("[^a-z]", "abc", false), ("[^a-z]", "ab1", true), ("", "", true),
      ("^$", "x", false), ("\\w+@\\w+", "me@host", true), ("x.*y", "x\ny", false),
    ])
  func subsetMatches(expression: String, value: String, expected: Bool) throws {
    let pattern = try #require(TagExpression(expression))
    #expect(pattern.matches(value) == expected, "\(expression) on \(value)")
  }

  @Test("expressions outside the subset, or too long, are refused")
  func refused() {
    for expression in [
      "a{2}", "(?i)a", "\\1", "a**", "(a", "[a", "\\b", String(repeating: "a", count: 257),
    ] {
      #expect(TagExpression(expression) == nil, "\(expression)")
    }
  }

  @Test("a pattern that backtracks exponentially elsewhere takes linear time here")
  func noCatastrophicBacktracking() throws {
    let pattern = try #require(TagExpression("^(a*)*(a|b)*c$"))
    let clock = ContinuousClock()
    let started = clock.now
    #expect(!pattern.matches(String(repeating: "a", count: 512)))
    // Generous for a debug build: a backtracking engine takes longer than
    // the age of the universe here.
    #expect(clock.now - started < .seconds(2))
  }
}

@Suite("Queries this node sends")
struct SentQueryTests {
  @Test("acks and responses come back once per member, then the query finishes at its deadline")
  func repliesThenFinished() throws {
    var node = try ClusterNode(name: "n0", address: address(0), seed: 1)
    _ = node.start(now: at(0))
    _ = node.receivePacket(Message.alive(alive(1)).encoded(), from: address(1), now: at(0))
    let (handle, effects) = try node.sendQuery(
      name: "uptime", payload: [], options: QueryOptions(requestAck: true, timeout: .seconds(2)),
      now: at(1))
    // Processed here too: its own ack goes out to its own address.
    #expect(sentMessages(effects).contains { $0.to == address(0) })
    #expect(node.swim.pendingUserMessages == 1)
    func reply(from member: String, ack: Bool) -> [UInt8] {
      let response = SerfQueryResponse(
        lamportTime: handle.lamportTime, id: handle.id, from: member,
        flags: ack ? SerfQueryResponse.ackFlag : 0, payload: ack ? [] : [7])
      return Message.user(UserMessage(payload: SerfMessage.queryResponse(response).encoded()))
        .encoded()
    }
    func replies(_ effects: [Effect]) -> [QueryReply] {
      effects.compactMap { if case .queryReply(let reply) = $0 { reply } else { nil } }
    }
    #expect(
      replies(node.receivePacket(reply(from: "n1", ack: true), from: address(1), now: at(1.1)))
        == [.ack(handle, from: "n1")])
    #expect(
      replies(node.receivePacket(reply(from: "n1", ack: true), from: address(1), now: at(1.2)))
        .isEmpty)
    #expect(
      replies(node.receivePacket(reply(from: "n1", ack: false), from: address(1), now: at(1.3)))
        == [.response(handle, from: "n1", payload: [7])])
    var finished: [QueryReply] = []
    var now = 1.3
    while now < 4 {
      now += 0.1
      finished += replies(node.tick(now: at(now)))
    }
    #expect(finished == [.finished(handle)])
    // Too late: dropped.
    #expect(
      replies(node.receivePacket(reply(from: "n2", ack: true), from: address(2), now: at(4.5)))
        .isEmpty)
  }

  @Test("the default deadline is Serf's: gossip interval × 16 × ⌈log10(n + 1)⌉")
  func defaultTimeout() throws {
    var node = try ClusterNode(name: "n0", address: address(0), seed: 1)
    _ = node.start(now: at(0))
    for index in 1...20 {
      _ = node.receivePacket(
        Message.alive(alive(index)).encoded(), from: address(index), now: at(0))
    }
    let (handle, _) = try node.sendQuery(name: "q", payload: [], now: at(1))
    // 21 alive: ⌈log10 22⌉ = 2, so 0.2 s × 16 × 2 = 6.4 s.
    var finishedAt: Double?
    var now = 1.0
    while now < 10, finishedAt == nil {
      now += 0.1
      if node.tick(now: at(now)).contains(.queryReply(.finished(handle))) { finishedAt = now }
    }
    #expect(abs((finishedAt ?? 0) - 7.4) < 0.15)
  }
}
