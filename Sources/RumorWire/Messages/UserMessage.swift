/// An opaque message for the delegate (message type 8); Serf's messages
/// travel in these (see `SerfMessage`).
///
/// On UDP the payload follows the type byte directly. On a stream a
/// `{UserMsgLen}` header comes first.
public struct UserMessage: Hashable, Sendable {
  /// Receive limit on a stream user message (memberlist's 20 MiB).
  public static let maximumStreamSize = 20 << 20

  /// The delegate's bytes.
  public var payload: [UInt8]

  /// Creates a user message.
  public init(payload: [UInt8]) {
    self.payload = payload
  }

  /// The Serf message inside, decoded; nil when the payload is empty.
  public func serfMessage() throws(WireError) -> SerfMessage? {
    guard !payload.isEmpty else { return nil }
    return try SerfMessage(decoding: payload[...])
  }

  private static let headerKeys = [StructKey("UserMsgLen")]

  /// Reads the stream form: header, then that many raw bytes.
  static func readStreamBody(from reader: inout MessagePackReader) throws(WireError) -> UserMessage
  {
    let start = reader.position
    var length = 0
    try reader.readStruct(headerKeys) { (field, _) throws(WireError) in
      length = try field.readSigned(Int.self)
    }
    guard (0...maximumStreamSize).contains(length) else {
      throw WireError(.tooLarge, "user message announces \(length) bytes", at: start)
    }
    return UserMessage(payload: Array(try reader.readSlice(count: length)))
  }

  func encodeStreamBody(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 1)
    writer.writeKey(Self.headerKeys[0])
    writer.writeGoInt(Int64(payload.count))
    writer.bytes.append(contentsOf: payload)
  }
}
