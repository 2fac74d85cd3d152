import Testing

@testable import Rumor

@Suite("DNSAnswerer: service, node and addr names under the domain")
struct DNSAnswererTests {
  static let targets: [DNSDirectory.Target] = [
    .init(node: "node-2", host: "127.0.0.2", port: 8002, isNodeAddress: true),
    .init(node: "node-1", host: "127.0.0.1", port: 8001, isNodeAddress: true),
    .init(node: "node-3", host: "10.0.0.9", port: 8003, isNodeAddress: false),
    .init(node: "node-4", host: "redis.internal", port: 6379, isNodeAddress: false),
    .init(node: "node-5", host: "::1", port: 8005, isNodeAddress: true),
  ]

  static let answerer = DNSAnswerer(
    domain: DNSName("rumor.") ?? .root, ttl: 0,
    directory: DNSDirectory(
      service: { name in
        switch name {
        case "web": targets
        case "idle": []
        default: nil
        }
      },
      node: { name in
        name == "node-1" ? [NodeAddress(ipv4: 127, 0, 0, 1, port: 7946)] : nil
      }))

  func ask(_ name: String, _ type: DNSRecordType, edns: UInt16? = nil) throws -> DNSMessage {
    let query = try DNSMessage.decode(dnsQuery(name, type, edns: edns))
    return try #require(Self.answerer.respond(to: query))
  }

  @Test("A lists the IPv4 instances in the directory's order; names and IPv6 are left out")
  func addresses() throws {
    let response = try ask("WEB.Service.Rumor.", .a)
    #expect(response.rcode == 0 && response.isAuthoritative && response.isResponse)
    #expect(
      response.answers.map(\.data) == [
        .a([127, 0, 0, 2]), .a([127, 0, 0, 1]), .a([10, 0, 0, 9]),
      ])
    #expect(response.answers.allSatisfy { $0.ttl == 0 })
    let six = try ask("web.service.rumor.", .aaaa)
    #expect(six.answers.map(\.data) == [.aaaa(Array(repeating: 0, count: 15) + [1])])
  }

  @Test("SRV names the node, the addr name or the host, with addresses in the additional section")
  func srv() throws {
    for name in ["web.service.rumor.", "_web._tcp.service.rumor."] {
      let response = try ask(name, .srv, edns: 4096)
      let targets = response.answers.compactMap { record -> String? in
        guard case .srv(_, _, let port, let target) = record.data else { return nil }
        return "\(target):\(port)"
      }
      #expect(
        targets == [
          "node-2.node.rumor.:8002", "node-1.node.rumor.:8001", "0a000009.addr.rumor.:8003",
          "redis.internal.:6379", "node-5.node.rumor.:8005",
        ])
      #expect(response.additionals.map(\.type) == [.a, .a, .a, .aaaa, .opt])
    }
  }

  @Test("nodes and addr names answer A; unknown names NXDOMAIN with the SOA")
  func nodesAndNames() throws {
    #expect(try ask("Node-1.node.rumor.", .a).answers.map(\.data) == [.a([127, 0, 0, 1])])
    #expect(try ask("0a000009.addr.rumor.", .a).answers.map(\.data) == [.a([10, 0, 0, 9])])
    for name in [
      "nope.service.rumor.", "node-9.node.rumor.", "x.rumor.", "zz.addr.rumor.", "service.rumor.",
    ] {
      let response = try ask(name, .a)
      #expect(response.rcode == DNSResponseCode.nameError.rawValue, "\(name)")
      #expect(response.authorities.map(\.type) == [.soa])
    }
  }

  @Test("a known name with no record of the type, or no eligible instance: empty NOERROR")
  func empty() throws {
    for (name, type) in [
      ("web.service.rumor.", DNSRecordType.txt), ("idle.service.rumor.", .a),
      ("node-1.node.rumor.", .aaaa), ("rumor.", .a),
    ] {
      let response = try ask(name, type)
      #expect(response.rcode == 0 && response.answers.isEmpty, "\(name) \(type)")
      #expect(response.authorities.map(\.type) == [.soa])
    }
    #expect(try ask("rumor.", .soa).answers.map(\.type) == [.soa])
  }

  @Test("other domains are REFUSED, other opcodes NOTIMP, two questions FORMERR, responses dropped")
  func refusals() throws {
    #expect(try ask("example.com.", .a).rcode == DNSResponseCode.refused.rawValue)
    #expect(try ask("rumor.example.", .a).rcode == DNSResponseCode.refused.rawValue)
    var query = try DNSMessage.decode(dnsQuery("web.service.rumor.", .a))
    query.opcode = 2
    #expect(Self.answerer.respond(to: query)?.rcode == DNSResponseCode.notImplemented.rawValue)
    query.opcode = 0
    query.questions += query.questions
    #expect(Self.answerer.respond(to: query)?.rcode == DNSResponseCode.formatError.rawValue)
    query.questions = []
    #expect(Self.answerer.respond(to: query)?.rcode == DNSResponseCode.formatError.rawValue)
    query.isResponse = true
    #expect(Self.answerer.respond(to: query) == nil)
  }

  @Test("another domain and TTL are honoured")
  func otherDomain() throws {
    let answerer = DNSAnswerer(
      domain: DNSName("cluster.example.") ?? .root, ttl: 30, directory: Self.answerer.directory)
    let query = try DNSMessage.decode(dnsQuery("web.service.cluster.example.", .a))
    let response = try #require(answerer.respond(to: query))
    #expect(response.answers.count == 3 && response.answers.allSatisfy { $0.ttl == 30 })
    let refused = try DNSMessage.decode(dnsQuery("web.service.rumor.", .a))
    #expect(answerer.respond(to: refused)?.rcode == DNSResponseCode.refused.rawValue)
  }
}
