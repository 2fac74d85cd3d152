/// A Serf message: the payload of a memberlist user message, a Serf type
/// byte then msgpack. Types Rumor has no use for are kept as bytes.
public enum SerfMessage: Hashable, Sendable {
  /// Intent to leave.
  case leave(SerfLeave)
  /// Intent to join.
  case join(SerfJoin)
  /// Serf state (push-pull user state).
  case pushPull(SerfPushPull)
  /// A custom event.
  case userEvent(SerfUserEvent)
  /// A query.
  case query(SerfQuery)
  /// A query answer or ack.
  case queryResponse(SerfQueryResponse)
  /// A message to forward.
  case relay(SerfRelay)
  /// Any other type (conflict and key messages live inside query payloads;
  /// newer Serf may add types): the type byte and the undecoded body.
  case other(type: UInt8, body: [UInt8])

  /// The type byte.
  public var typeByte: UInt8 {
    switch self {
    case .leave: SerfMessageType.leave.rawValue
    case .join: SerfMessageType.join.rawValue
    case .pushPull: SerfMessageType.pushPull.rawValue
    case .userEvent: SerfMessageType.userEvent.rawValue
    case .query: SerfMessageType.query.rawValue
    case .queryResponse: SerfMessageType.queryResponse.rawValue
    case .relay: SerfMessageType.relay.rawValue
    case .other(let type, _): type
    }
  }

  /// Decodes a Serf message (type byte first).
  public init(decoding bytes: ArraySlice<UInt8>) throws(WireError) {
    var reader = MessagePackReader(bytes)
    let typeByte = try reader.readByte()
    switch SerfMessageType(rawValue: typeByte) {
    case .leave: self = .leave(try SerfLeave(from: &reader))
    case .join: self = .join(try SerfJoin(from: &reader))
    case .pushPull: self = .pushPull(try SerfPushPull(from: &reader))
    case .userEvent: self = .userEvent(try SerfUserEvent(from: &reader))
    case .query: self = .query(try SerfQuery(from: &reader))
    case .queryResponse: self = .queryResponse(try SerfQueryResponse(from: &reader))
    case .relay: self = .relay(try SerfRelay(from: &reader))
    default: self = .other(type: typeByte, body: Array(reader.remainder))
    }
  }

  /// The type byte followed by the body: a memberlist user message payload.
  public func encoded(intStyle: GoIntStyle = .legacy) -> [UInt8] {
    var writer = MessagePackWriter(capacity: 64, intStyle: intStyle)
    writer.bytes.append(typeByte)
    switch self {
    case .leave(let message): message.encode(into: &writer)
    case .join(let message): message.encode(into: &writer)
    case .pushPull(let message): message.encode(into: &writer)
    case .userEvent(let message): message.encode(into: &writer)
    case .query(let message): message.encode(into: &writer)
    case .queryResponse(let message): message.encode(into: &writer)
    case .relay(let message): message.encode(into: &writer)
    case .other(_, let body): writer.bytes.append(contentsOf: body)
    }
    return writer.bytes
  }
}
