/// The member record in Serf's answer to a `_serf_conflict` query (Serf's
/// `Member`): what the answering member knows about a name, so that a
/// member whose name is claimed from two addresses can count how many
/// members side with its own address.
public struct SerfConflictMember: Hashable, Sendable, WireStruct {
  /// The member's name.
  public var name: String
  /// Its IP, 4 or 16 bytes.
  public var addr: [UInt8]
  /// Its gossip port.
  public var port: UInt16
  /// Its tags.
  public var tags: [String: String]
  /// Serf's `MemberStatus` number (1 alive, 2 leaving, 3 left, 4 failed).
  public var status: Int64
  /// memberlist's six version bytes: protocol min, max, current, then
  /// delegate min, max, current.
  public var versions: [UInt8]

  /// Creates a record.
  public init(
    name: String = "", addr: [UInt8] = [], port: UInt16 = 0, tags: [String: String] = [:],
    status: Int64 = 0, versions: [UInt8] = [0, 0, 0, 0, 0, 0]
  ) {
    self.name = name
    self.addr = addr
    self.port = port
    self.tags = tags
    self.status = status
    self.versions = versions
  }

  init() { self.init(name: "") }

  static let keys = [
    StructKey("Name"), StructKey("Addr"), StructKey("Port"), StructKey("Tags"),
    StructKey("Status"), StructKey("ProtocolMin"), StructKey("ProtocolMax"),
    StructKey("ProtocolCur"), StructKey("DelegateMin"), StructKey("DelegateMax"),
    StructKey("DelegateCur"),
  ]

  /// The most tags read from a record: memberlist's 512 bytes of metadata
  /// hold fewer than 256 of them.
  static let maximumTags = 256

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: name = try reader.readString()
    case 1: addr = try reader.readByteArray()
    case 2: port = try reader.readUnsigned(UInt16.self)
    case 3:
      if reader.peekByte() == 0xc0 {
        _ = try reader.readByte()
        tags = [:]
        return
      }
      let count = try reader.readMapHeader()
      guard count <= Self.maximumTags else {
        throw WireError(.malformed, "a conflict answer holds \(count) tags", at: 0)
      }
      var read: [String: String] = [:]
      for _ in 0..<count {
        let key = try reader.readString()
        read[key] = try reader.readString()
      }
      tags = read
    case 4: status = try reader.readSigned(Int64.self)
    default:
      let value = try reader.readUnsigned(UInt8.self)
      let slot = index - 5
      if versions.indices.contains(slot) { versions[slot] = value }
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: keys.count)
    writer.writeKey(keys[0])
    writer.writeString(name)
    writer.writeKey(keys[1])
    writer.writeBytesOrNil(addr)
    writer.writeKey(keys[2])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[3])
    writer.writeMapHeader(count: tags.count)
    for key in tags.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      writer.writeString(key)
      writer.writeString(tags[key] ?? "")
    }
    writer.writeKey(keys[4])
    writer.writeGoInt(status)
    for slot in 0..<6 {
      writer.writeKey(keys[5 + slot])
      writer.writeUnsigned(UInt64(versions.indices.contains(slot) ? versions[slot] : 0))
    }
  }
}

/// Serf's answer to a `_serf_conflict` query: the type byte 6, then the
/// record the answering member knows for the name in the query, or nil
/// when it knows none (Serf encodes a nil `*Member`).
public enum SerfConflictResponse {
  /// The query's name.
  public static let queryName = "_serf_conflict"

  /// The response payload for `member`.
  public static func encode(_ member: SerfConflictMember?) -> [UInt8] {
    var writer = MessagePackWriter()
    if let member {
      member.encode(into: &writer)
    } else {
      writer.writeNil()
    }
    return [SerfMessageType.conflictResponse.rawValue] + writer.bytes
  }

  /// Decodes a response payload: nil when the member knew no record.
  public static func decode(_ payload: [UInt8]) throws(WireError) -> SerfConflictMember? {
    guard payload.first == SerfMessageType.conflictResponse.rawValue else {
      throw WireError(.malformed, "a conflict response does not start with type 6", at: 0)
    }
    var reader = MessagePackReader(payload.dropFirst())
    if reader.peekByte() == 0xc0 { return nil }
    return try SerfConflictMember(from: &reader)
  }
}
