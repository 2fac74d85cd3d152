import RumorWire

/// Answers DNS queries about the cluster under one domain (`rumor.` by
/// default), from a `DNSDirectory`. Pure: a query in, a response out.
///
/// - `NAME.service.DOMAIN` and `_NAME._tcp.service.DOMAIN`: A and AAAA
///   with the eligible instances' addresses, SRV with their ports, in the
///   order the service's strategy picks them. An SRV target is
///   `NODE.node.DOMAIN` when the instance is at its member's address,
///   `HEX.addr.DOMAIN` (the IP in hex) when at another IP, and the host
///   name itself when the URL names a host; the additional section holds
///   the A/AAAA records of the first two kinds. A and AAAA leave out
///   instances whose URL names a host rather than an IP (no CNAME: one
///   name cannot alias several).
/// - `NODE.node.DOMAIN`: A/AAAA with the member's address.
/// - `HEX.addr.DOMAIN`: the address spelled in the name.
/// - A name under the domain that is none of these, or a service or node
///   nobody knows: NXDOMAIN, with the zone's SOA in the authority section
///   (its minimum field is the TTL, for negative caching).
/// - A known name asked for another type: NOERROR with no answer (and the
///   SOA).
/// - A name outside the domain: REFUSED. An opcode other than QUERY:
///   NOTIMP. Not exactly one question: FORMERR.
public struct DNSAnswerer: Sendable {
  /// The domain answered for.
  public let domain: DNSName
  /// The TTL of every record, in seconds: 0 by default, since membership
  /// and health change faster than any cache should hold them.
  public let ttl: UInt32
  /// Where answers come from.
  public let directory: DNSDirectory

  /// The UDP payload size announced in responses to EDNS0 queries (the
  /// size DNS Flag Day 2020 recommends: no fragmentation on common paths).
  public static let ednsUDPSize: UInt16 = 1232

  /// An answerer for `domain`.
  public init(domain: DNSName, ttl: UInt32 = 0, directory: DNSDirectory) {
    self.domain = domain
    self.ttl = ttl
    self.directory = directory
  }

  /// The response to `query`, nil for a message that is itself a
  /// response (answering those would let two servers ping-pong forever).
  public func respond(to query: DNSMessage) -> DNSMessage? {
    guard !query.isResponse else { return nil }
    var response = DNSMessage(
      id: query.id, isResponse: true, opcode: query.opcode, isAuthoritative: true,
      recursionDesired: query.recursionDesired, questions: query.questions)
    if query.ednsUDPSize != nil {
      response.additionals = [.opt(udpSize: Self.ednsUDPSize)]
    }
    guard query.opcode == 0 else {
      response.rcode = DNSResponseCode.notImplemented.rawValue
      return response
    }
    guard query.questions.count == 1, let question = query.questions.first else {
      response.isAuthoritative = false
      response.rcode = DNSResponseCode.formatError.rawValue
      return response
    }
    guard question.name.isWithin(domain),
      question.questionClass == DNSRecord.internet || question.questionClass == 255
    else {
      response.isAuthoritative = false
      response.rcode = DNSResponseCode.refused.rawValue
      return response
    }
    let relative = Array(question.name.lowercasedLabels.dropLast(domain.labels.count))
    let answer = self.answer(relative, type: question.type, name: question.name)
    response.answers = answer.answers
    response.additionals = answer.additionals + response.additionals
    if let code = answer.code {
      response.rcode = code.rawValue
    }
    if answer.answers.isEmpty { response.authorities = [soa] }
    return response
  }

  /// The zone's SOA record.
  var soa: DNSRecord {
    let primary = DNSName(labels: [Array("ns".utf8)] + domain.labels) ?? domain
    let mailbox = DNSName(labels: [Array("hostmaster".utf8)] + domain.labels) ?? domain
    return DNSRecord(
      name: domain, ttl: ttl,
      data: .soa(
        primary: primary, mailbox: mailbox, serial: 1, refresh: 3600, retry: 600,
        expire: 86_400, minimum: ttl))
  }

  private struct Answer {
    var answers: [DNSRecord] = []
    var additionals: [DNSRecord] = []
    var code: DNSResponseCode?
  }

  private static let nxdomain = Answer(code: .nameError)

  private func answer(_ relative: [[UInt8]], type: DNSRecordType, name: DNSName) -> Answer {
    guard let kind = relative.last else {
      // The domain itself: its SOA, nothing else.
      return type == .soa || type == .any ? Answer(answers: [soa]) : Answer()
    }
    let rest = Array(relative.dropLast())
    switch kind {
    case Array("service".utf8):
      return service(rest, type: type, name: name)
    case Array("node".utf8):
      guard !rest.isEmpty, let addresses = directory.node(Self.text(rest)) else {
        return Self.nxdomain
      }
      return Answer(answers: addressRecords(name: name, addresses.map(\.ipBytes), type: type))
    case Array("addr".utf8):
      guard rest.count == 1, let bytes = Self.hexAddress(rest[0]) else { return Self.nxdomain }
      return Answer(answers: addressRecords(name: name, [bytes], type: type))
    default:
      return Self.nxdomain
    }
  }

  private func service(_ labels: [[UInt8]], type: DNSRecordType, name: DNSName) -> Answer {
    var labels = labels
    // RFC 2782's form: _NAME._PROTO.service.DOMAIN.
    if labels.count == 2, labels[0].first == UInt8(ascii: "_"), labels[1].first == UInt8(ascii: "_")
    {
      labels = [Array(labels[0].dropFirst())]
    }
    guard !labels.isEmpty, let targets = directory.service(Self.text(labels)) else {
      return Self.nxdomain
    }
    var result = Answer()
    switch type {
    case .a, .aaaa, .any:
      let addresses = targets.compactMap { IPAddress.parse($0.host) }
      result.answers = addressRecords(name: name, addresses, type: type)
    case .srv:
      var seen: Set<DNSName> = []
      for target in targets {
        guard let (targetName, address) = srvTarget(target) else { continue }
        result.answers.append(
          DNSRecord(
            name: name, ttl: ttl,
            data: .srv(priority: 1, weight: 1, port: target.port, target: targetName)))
        if let address, seen.insert(targetName).inserted {
          result.additionals += addressRecords(name: targetName, [address], type: .any)
        }
      }
    default:
      break
    }
    return result
  }

  /// The SRV target of `target` and the address to give for it in the
  /// additional section (none for a host name).
  private func srvTarget(_ target: DNSDirectory.Target) -> (DNSName, [UInt8]?)? {
    guard let address = IPAddress.parse(target.host) else {
      return DNSName(target.host).map { ($0, nil) }
    }
    if target.isNodeAddress, !target.node.isEmpty,
      let node = DNSName(target.node),
      let name = node.appending(DNSName(labels: [Array("node".utf8)]) ?? .root)?.appending(domain)
    {
      return (name, address)
    }
    let hex = Array(address.map { Self.hexDigits($0) }.joined())
    guard let name = DNSName(labels: [hex, Array("addr".utf8)] + domain.labels) else { return nil }
    return (name, address)
  }

  /// A and AAAA records for `addresses`, of the kinds `type` asks for,
  /// without repeats.
  private func addressRecords(name: DNSName, _ addresses: [[UInt8]], type: DNSRecordType)
    -> [DNSRecord]
  {
    var records: [DNSRecord] = []
    var seen: Set<[UInt8]> = []
    for address in addresses where seen.insert(address).inserted {
      if address.count == 4, type == .a || type == .any {
        records.append(DNSRecord(name: name, ttl: ttl, data: .a(address)))
      } else if address.count == 16, type == .aaaa || type == .any {
        records.append(DNSRecord(name: name, ttl: ttl, data: .aaaa(address)))
      }
    }
    return records
  }

  /// Labels joined by dots, as text (invalid UTF-8 repaired: such a name
  /// matches nothing).
  static func text(_ labels: [[UInt8]]) -> String {
    labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
  }

  private static func hexDigits(_ byte: UInt8) -> [UInt8] {
    let digits = Array("0123456789abcdef".utf8)
    return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
  }

  /// The address spelled as 8 or 32 hex digits; nil for anything else.
  static func hexAddress(_ label: [UInt8]) -> [UInt8]? {
    guard label.count == 8 || label.count == 32 else { return nil }
    var bytes: [UInt8] = []
    var index = 0
    while index + 1 < label.count {
      guard let high = hexValue(label[index]), let low = hexValue(label[index + 1]) else {
        return nil
      }
      bytes.append(high << 4 | low)
      index += 2
    }
    return bytes
  }

  private static func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case 0x30...0x39: digit - 0x30
    case 0x61...0x66: digit - 0x61 + 10
    case 0x41...0x46: digit - 0x41 + 10
    default: nil
    }
  }
}
