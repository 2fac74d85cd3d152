/// One memberlist message, without the envelopes (compound, compression,
/// CRC, encryption, label) that `PacketCodec` and `StreamCodec` handle.
public enum Message: Hashable, Sendable {
  /// A direct probe.
  case ping(Ping)
  /// A request to probe another node.
  case indirectPing(IndirectPing)
  /// A probe answer.
  case ack(Ack)
  /// A failed indirect probe.
  case nack(Nack)
  /// A suspicion.
  case suspect(Suspect)
  /// An alive announcement.
  case alive(Alive)
  /// A death or leave announcement.
  case dead(Dead)
  /// A full state exchange (streams only).
  case pushPull(PushPull)
  /// A delegate (Serf) message.
  case user(UserMessage)
  /// A remote error (streams only).
  case error(ErrorResponse)

  /// Where a message travels; user messages are framed differently on each.
  public enum Transport: Sendable, Hashable {
    /// A UDP datagram.
    case packet
    /// A TCP stream.
    case stream
  }

  /// The message's type byte.
  public var type: MessageType {
    switch self {
    case .ping: .ping
    case .indirectPing: .indirectPing
    case .ack: .ack
    case .nack: .nack
    case .suspect: .suspect
    case .alive: .alive
    case .dead: .dead
    case .pushPull: .pushPull
    case .user: .user
    case .error: .error
    }
  }

  /// The name of the node the message is about, for broadcast queues that
  /// keep one message per node.
  public var subject: String? {
    switch self {
    case .suspect(let message): message.node
    case .alive(let message): message.node
    case .dead(let message): message.node
    default: nil
    }
  }

  /// The type byte followed by the body.
  public func encoded(for transport: Transport = .packet, intStyle: GoIntStyle = .legacy)
    -> [UInt8]
  {
    var writer = MessagePackWriter(capacity: 96, intStyle: intStyle)
    encode(into: &writer, for: transport)
    return writer.bytes
  }

  /// Appends the type byte and the body to `writer`.
  public func encode(into writer: inout MessagePackWriter, for transport: Transport = .packet) {
    writer.bytes.append(type.rawValue)
    switch self {
    case .ping(let message): message.encode(into: &writer)
    case .indirectPing(let message): message.encode(into: &writer)
    case .ack(let message): message.encode(into: &writer)
    case .nack(let message): message.encode(into: &writer)
    case .suspect(let message): message.encode(into: &writer)
    case .alive(let message): message.encode(into: &writer)
    case .dead(let message): message.encode(into: &writer)
    case .pushPull(let message): message.encode(into: &writer)
    case .error(let message): message.encode(into: &writer)
    case .user(let message):
      if transport == .stream {
        message.encodeStreamBody(into: &writer)
      } else {
        writer.bytes.append(contentsOf: message.payload)
      }
    }
  }

  /// Decodes the body of a message whose type byte has been read.
  ///
  /// Returns nil for the envelope types (compound, compress, encrypt, CRC,
  /// label), which the codecs unwrap. Bytes after a struct are ignored, as
  /// Go does; a packet user message takes every remaining byte.
  public static func decodeBody(
    _ type: MessageType, from reader: inout MessagePackReader, transport: Transport
  ) throws(WireError) -> Message? {
    switch type {
    case .ping: return .ping(try Ping(from: &reader))
    case .indirectPing: return .indirectPing(try IndirectPing(from: &reader))
    case .ack: return .ack(try Ack(from: &reader))
    case .nack: return .nack(try Nack(from: &reader))
    case .suspect: return .suspect(try Suspect(from: &reader))
    case .alive: return .alive(try Alive(from: &reader))
    case .dead: return .dead(try Dead(from: &reader))
    case .pushPull: return .pushPull(try PushPull(from: &reader))
    case .error: return .error(try ErrorResponse(from: &reader))
    case .user:
      if transport == .stream {
        return .user(try UserMessage.readStreamBody(from: &reader))
      }
      let payload = Array(reader.remainder)
      _ = try reader.readSlice(count: payload.count)
      return .user(UserMessage(payload: payload))
    case .compound, .compress, .encrypt, .hasCRC, .hasLabel:
      return nil
    }
  }
}
