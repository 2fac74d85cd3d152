import Testing

@testable import Rumor

/// A query as dig sends it: id, RD, one question, optionally an OPT.
func dnsQuery(_ name: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: UInt16? = nil)
  -> [UInt8]
{
  var message = DNSMessage(id: id, recursionDesired: true)
  if let parsed = DNSName(name) { message.questions = [DNSQuestion(name: parsed, type: type)] }
  if let edns { message.additionals = [.opt(udpSize: edns)] }
  return message.encode()
}

@Suite("DNSMessage: a total codec, hostile bytes give errors")
struct DNSMessageTests {
  @Test("a query and a response with every record kind round-trip through encode and decode")
  func roundTrip() throws {
    let name = try #require(DNSName("web.service.rumor."))
    let target = try #require(DNSName("node-1.node.rumor."))
    let message = DNSMessage(
      id: 7, isResponse: true, isAuthoritative: true, recursionDesired: true, rcode: 0,
      questions: [DNSQuestion(name: name, type: .srv)],
      answers: [
        DNSRecord(
          name: name, ttl: 5, data: .srv(priority: 1, weight: 2, port: 8080, target: target)),
        DNSRecord(name: name, ttl: 0, data: .cname(target)),
      ],
      authorities: [
        DNSRecord(
          name: try #require(DNSName("rumor.")), ttl: 0,
          data: .soa(
            primary: target, mailbox: name, serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5))
      ],
      additionals: [
        DNSRecord(name: target, ttl: 0, data: .a([127, 0, 0, 1])),
        DNSRecord(name: target, ttl: 0, data: .aaaa(Array(repeating: 0, count: 15) + [1])),
        DNSRecord(name: target, ttl: 0, data: .other(.txt, [3, 65, 66, 67])),
        .opt(udpSize: 1232),
      ])
    let bytes = message.encode()
    let decoded = try DNSMessage.decode(bytes)
    #expect(decoded == message)
    #expect(decoded.ednsUDPSize == 1232)
  }

  @Test("names are compressed on encode and followed on decode; case is kept, compared without it")
  func compression() throws {
    let name = try #require(DNSName("Web.Service.RUMOR"))
    var message = DNSMessage(id: 1, questions: [DNSQuestion(name: name, type: .a)])
    message.answers = (1...5).map { DNSRecord(name: name, ttl: 0, data: .a([10, 0, 0, $0])) }
    let bytes = message.encode()
    // Each answer's owner is a 2-byte pointer to the question's name.
    #expect(bytes.count == 12 + name.wireLength + 4 + 5 * (2 + 10 + 4))
    let decoded = try DNSMessage.decode(bytes)
    #expect(decoded.answers.allSatisfy { $0.name == name })
    #expect(name.isWithin(try #require(DNSName("rumor."))))
    #expect(!name.isWithin(try #require(DNSName("other."))))
  }

  @Test("a pointer to itself, a pointer loop and a forward pointer are errors, not hangs")
  func pointerLoops() {
    var header: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    // The question's name is a pointer to itself (offset 12).
    #expect(throws: DNSDecodeError.badPointer) {
      try DNSMessage.decode(header + [0xC0, 12, 0, 1, 0, 1])
    }
    // A label, then a pointer back to that label: a loop.
    #expect(throws: DNSDecodeError.badPointer) {
      try DNSMessage.decode(header + [1, 65, 0xC0, 12, 0, 1, 0, 1])
    }
    // A pointer forward, to a name that points back to it.
    #expect(throws: DNSDecodeError.badPointer) {
      try DNSMessage.decode(header + [0xC0, 14, 0xC0, 12, 0, 1, 0, 1])
    }
    // A pointer past the end.
    header[5] = 1
    #expect(throws: DNSDecodeError.self) {
      try DNSMessage.decode(header + [0xFF, 0xFF, 0, 1, 0, 1])
    }
  }

  @Test("a chain of pointers each going further back is followed, up to the jump limit")
  func pointerChains() throws {
    // 1 label "a" then root at 12...14; then 200 pointers, each to the previous.
    var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 97, 0]
    var previous = 12
    for _ in 0..<200 {
      let here = bytes.count
      bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
      previous = here
    }
    // The question's name is the last pointer: 200 jumps, over the limit.
    #expect(throws: DNSDecodeError.badPointer) {
      _ = try DNSName.decode(bytes, at: previous)
    }
    let (near, next) = try DNSName.decode(bytes, at: 15 + 2 * 100)
    #expect(near.labels == [[97]])
    #expect(next == 15 + 2 * 100 + 2)
  }

  @Test("truncated messages, at every length, give an error")
  func truncated() throws {
    let full = DNSMessage(
      id: 9, isResponse: true,
      questions: [DNSQuestion(name: try #require(DNSName("a.b.")), type: .a)],
      answers: [DNSRecord(name: try #require(DNSName("a.b.")), ttl: 1, data: .a([1, 2, 3, 4]))]
    ).encode()
    for length in 0..<full.count {
      #expect(throws: DNSDecodeError.self) { try DNSMessage.decode(Array(full.prefix(length))) }
    }
    #expect(throws: DNSDecodeError.trailingBytes) { try DNSMessage.decode(full + [0]) }
  }

  @Test("counts that lie (65,535 of each) end in .truncated without work of their own")
  func lyingCounts() {
    let header: [UInt8] = [0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    #expect(throws: DNSDecodeError.truncated) { try DNSMessage.decode(header) }
    #expect(throws: DNSDecodeError.truncated) {
      try DNSMessage.decode(header + [0, 0, 1, 0, 1])
    }
  }

  @Test("labels with the reserved 01/10 bits, labels running past the end, names over 255 bytes")
  func badLabels() {
    let header: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    #expect(throws: DNSDecodeError.badLabelType) {
      try DNSMessage.decode(header + [0x40, 0, 0, 1, 0, 1])
    }
    #expect(throws: DNSDecodeError.badLabelType) {
      try DNSMessage.decode(header + [0x80, 0, 0, 1, 0, 1])
    }
    #expect(throws: DNSDecodeError.truncated) {
      try DNSMessage.decode(header + [63] + Array(repeating: 97, count: 10))
    }
    var long: [UInt8] = []
    for _ in 0..<5 { long += [63] + Array(repeating: 97, count: 63) }
    #expect(throws: DNSDecodeError.nameTooLong) {
      try DNSMessage.decode(header + long + [0, 0, 1, 0, 1])
    }
    #expect(DNSName(labels: [Array(repeating: 97, count: 64)]) == nil)
    #expect(DNSName(labels: [[]]) == nil)
    #expect(DNSName("a..b") == nil)
  }

  @Test("record data that does not match its type is an error")
  func badRecordData() throws {
    let name = try #require(DNSName("a."))
    var bytes = DNSMessage(
      id: 1, answers: [DNSRecord(name: name, ttl: 0, data: .a([1, 2, 3, 4]))]
    ).encode()
    // Claim 3 bytes of data for the A record and drop one.
    bytes[bytes.count - 5] = 3
    bytes.removeLast()
    #expect(throws: DNSDecodeError.badRecordData) { try DNSMessage.decode(bytes) }
    // A CNAME whose name runs past its data length.
    var cname = DNSMessage(id: 1, answers: [DNSRecord(name: name, ttl: 0, data: .cname(name))])
      .encode()
    cname[cname.count - 4] = 1
    #expect(throws: DNSDecodeError.self) { try DNSMessage.decode(cname) }
  }

  @Test(
    "encoding to a size limit drops answers and sets TC, drops extra records quietly, keeps OPT")
  func truncation() throws {
    let name = try #require(DNSName("big.service.rumor."))
    var message = DNSMessage(
      id: 1, isResponse: true, questions: [DNSQuestion(name: name, type: .a)])
    message.answers = (0..<100).map {
      DNSRecord(name: name, ttl: 0, data: .a([10, 0, 0, UInt8($0)]))
    }
    message.additionals = [.opt(udpSize: 1232)]
    let bytes = message.encode(maximumSize: 512)
    #expect(bytes.count <= 512)
    let decoded = try DNSMessage.decode(bytes)
    #expect(decoded.isTruncated)
    #expect(decoded.answers.count > 20 && decoded.answers.count < 100)
    #expect(decoded.additionals.count == 1 && decoded.ednsUDPSize == 1232)
    let whole = try DNSMessage.decode(message.encode())
    #expect(!whole.isTruncated && whole.answers.count == 100)

    var extra = DNSMessage(
      id: 1, isResponse: true, questions: [DNSQuestion(name: name, type: .srv)])
    extra.answers = [DNSRecord(name: name, ttl: 0, data: .a([1, 1, 1, 1]))]
    extra.additionals = (0..<100).map {
      DNSRecord(name: name, ttl: 0, data: .a([10, 0, 1, UInt8($0)]))
    }
    let cut = try DNSMessage.decode(extra.encode(maximumSize: 512))
    #expect(!cut.isTruncated && cut.answers.count == 1 && cut.additionals.count < 100)
  }

  @Test("names print as dig prints them, odd bytes escaped")
  func description() throws {
    #expect(try #require(DNSName("web.service.rumor")).description == "web.service.rumor.")
    #expect(DNSName.root.description == ".")
    #expect(try #require(DNSName(labels: [[0x41, 0x20, 0x2E]])).description == "A\\032\\046.")
  }

  @Test("a thousand random and mutated messages decode or fail, never trap")
  func randomBytes() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    let seed = dnsQuery("web.service.rumor.", .srv, edns: 4096)
    for round in 0..<1_000 {
      var bytes: [UInt8]
      if round % 2 == 0 {
        bytes = (0..<Int(next() % 80)).map { _ in UInt8(truncatingIfNeeded: next()) }
      } else {
        bytes = seed
        for _ in 0..<(1 + Int(next() % 4)) {
          let index = Int(next() % UInt64(bytes.count))
          bytes[index] = UInt8(truncatingIfNeeded: next())
        }
      }
      _ = try? DNSMessage.decode(bytes)
    }
  }
}
