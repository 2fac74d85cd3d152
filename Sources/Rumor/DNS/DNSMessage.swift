/// A DNS message (RFC 1035 4.1): the header's fields and four sections.
///
/// `decode` is total: any bytes give a message or a `DNSDecodeError`,
/// never a trap, with work bounded by the input's size (counts that claim
/// more entries than the bytes hold end in `.truncated`; nothing is
/// allocated from a count). `encode(maximumSize:)` cuts a response to
/// fit and sets TC when answers had to go.
public struct DNSMessage: Hashable, Sendable {
  /// Matches a response to its query.
  public var id: UInt16
  /// True for a response.
  public var isResponse: Bool
  /// The kind of query (0: a standard query).
  public var opcode: UInt8
  /// The answer is authoritative.
  public var isAuthoritative: Bool
  /// The message was truncated to fit (TC).
  public var isTruncated: Bool
  /// The client wants recursion (RD).
  public var recursionDesired: Bool
  /// The server offers recursion (RA).
  public var recursionAvailable: Bool
  /// The response code's low four bits.
  public var rcode: UInt8
  /// The questions (one, in practice).
  public var questions: [DNSQuestion]
  /// The answer section.
  public var answers: [DNSRecord]
  /// The authority section (a SOA for negative answers).
  public var authorities: [DNSRecord]
  /// The additional section (addresses of SRV targets, EDNS0's OPT).
  public var additionals: [DNSRecord]

  /// The size of the fixed header.
  public static let headerSize = 12
  /// The most a UDP response may be without EDNS0 (RFC 1035 4.2.1).
  public static let classicUDPSize = 512

  /// A message; a query with nothing in it unless given.
  public init(
    id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
    isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
    rcode: UInt8 = 0, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
    authorities: [DNSRecord] = [], additionals: [DNSRecord] = []
  ) {
    self.id = id
    self.isResponse = isResponse
    self.opcode = opcode
    self.isAuthoritative = isAuthoritative
    self.isTruncated = isTruncated
    self.recursionDesired = recursionDesired
    self.recursionAvailable = recursionAvailable
    self.rcode = rcode
    self.questions = questions
    self.answers = answers
    self.authorities = authorities
    self.additionals = additionals
  }

  /// The UDP payload size the sender offers in its OPT record (EDNS0),
  /// nil when it sent none.
  public var ednsUDPSize: UInt16? {
    additionals.first { $0.type == .opt }?.recordClass
  }

  /// Decodes `bytes`, or throws what is wrong with them.
  public static func decode(_ bytes: [UInt8]) throws(DNSDecodeError) -> DNSMessage {
    var reader = DNSReader(bytes)
    let id = try reader.u16()
    let flags = try reader.u16()
    let counts = [try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16()]
    var message = DNSMessage(
      id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0x0F),
      isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
      recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
      rcode: UInt8(flags & 0x000F))
    // Each entry consumes at least 5 bytes (a question) or 11 (a record),
    // so a count that lies ends in `.truncated` after reading the bytes
    // that are there, never in work or memory of its own.
    for _ in 0..<counts[0] {
      let name = try reader.name()
      let type = DNSRecordType(rawValue: try reader.u16())
      let questionClass = try reader.u16()
      message.questions.append(DNSQuestion(name: name, type: type, questionClass: questionClass))
    }
    for _ in 0..<counts[1] { message.answers.append(try DNSRecord.decode(&reader)) }
    for _ in 0..<counts[2] { message.authorities.append(try DNSRecord.decode(&reader)) }
    for _ in 0..<counts[3] { message.additionals.append(try DNSRecord.decode(&reader)) }
    guard reader.remaining == 0 else { throw .trailingBytes }
    return message
  }

  /// The header's flags field.
  private var flags: UInt16 {
    var flags = UInt16(opcode & 0x0F) << 11 | UInt16(rcode & 0x0F)
    if isResponse { flags |= 0x8000 }
    if isAuthoritative { flags |= 0x0400 }
    if isTruncated { flags |= 0x0200 }
    if recursionDesired { flags |= 0x0100 }
    if recursionAvailable { flags |= 0x0080 }
    return flags
  }

  /// The message in wire form, at most `maximumSize` bytes (at least the
  /// header and questions are always written).
  ///
  /// What does not fit is left out: answers and authority records from
  /// the first that does not fit on, with TC set (the client should ask
  /// again over TCP); additional records silently (RFC 2181 9), except
  /// OPT, whose room is kept first.
  public func encode(maximumSize: Int = 65_535) -> [UInt8] {
    var writer = DNSWriter()
    writer.u16(id)
    writer.u16(flags)
    for _ in 0..<4 { writer.u16(0) }
    for question in questions {
      writer.name(question.name)
      writer.u16(question.type.rawValue)
      writer.u16(question.questionClass)
    }
    // Room for every OPT record is kept from the start: a client that
    // sent one must get one, truncated or not.
    var reserved = additionals.reduce(0) { $0 + ($1.type == .opt ? $1.encodedSize : 0) }
    var truncated = false
    var written = [0, 0, 0]
    for (section, records) in [answers, authorities].enumerated() where !truncated {
      for record in records {
        let mark = writer.mark
        record.encode(into: &writer)
        if writer.bytes.count > maximumSize - reserved {
          writer.rollBack(to: mark)
          truncated = true
          break
        }
        written[section] += 1
      }
    }
    for record in additionals {
      if record.type == .opt {
        record.encode(into: &writer)
        reserved -= record.encodedSize
        written[2] += 1
        continue
      }
      guard !truncated else { continue }
      let mark = writer.mark
      record.encode(into: &writer)
      if writer.bytes.count > maximumSize - reserved {
        writer.rollBack(to: mark)
        continue
      }
      written[2] += 1
    }
    var header = self
    header.isTruncated = isTruncated || truncated
    writer.set16(header.flags, at: 2)
    writer.set16(UInt16(truncatingIfNeeded: questions.count), at: 4)
    writer.set16(UInt16(truncatingIfNeeded: written[0]), at: 6)
    writer.set16(UInt16(truncatingIfNeeded: written[1]), at: 8)
    writer.set16(UInt16(truncatingIfNeeded: written[2]), at: 10)
    return writer.bytes
  }
}

extension DNSRecord {
  /// The record's size in wire form, uncompressed.
  fileprivate var encodedSize: Int {
    var writer = DNSWriter()
    encode(into: &writer)
    return writer.bytes.count
  }
}
