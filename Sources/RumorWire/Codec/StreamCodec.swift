/// Turns TCP stream bytes into messages and back (push-pull, the fallback
/// ping and its ack, reliable user messages, error replies).
///
/// A stream carries one request and at most one reply. The dialer sends
/// the label header first; each message may be LZW-compressed (always, when
/// compression is on) and then encrypted as `0x0a | length:u32be | blob`,
/// authenticated with those five bytes and the label. Streams have no CRC.
public struct StreamCodec: Sendable {
  /// Label, keys and verification settings.
  public var options: WireOptions

  /// Receive limit on an encrypted stream message (memberlist's 20 MiB).
  public static let maximumEncryptedSize = 20 << 20

  /// Creates a codec.
  public init(options: WireOptions = WireOptions()) {
    self.options = options
  }

  /// One message read from the front of a stream.
  public struct DecodedStreamMessage: Hashable, Sendable {
    /// The message.
    public var message: Message
    /// The label header, if the bytes started with one.
    public var label: String?
    /// The encryption version, when the message was encrypted.
    public var encryptionVersion: UInt8?
    /// Which key of the keyring decrypted it.
    public var keyIndex: Int?
    /// Whether it was LZW-compressed.
    public var compressed: Bool
    /// How many input bytes it took; the next message (if any) starts there.
    public var consumedCount: Int
  }

  /// Decodes the message at the front of `bytes`.
  ///
  /// `allowLabel` is true for what a dialer sent (it may start with the
  /// label header); a reply carries none. An error of kind `.truncated`
  /// with no `layers` means the stream may simply need more bytes.
  public func decode(_ bytes: ArraySlice<UInt8>, allowLabel: Bool = true) throws(WireError)
    -> DecodedStreamMessage
  {
    var reader = MessagePackReader(bytes)
    var headerLabel: String?
    if allowLabel, reader.peekByte() == MessageType.hasLabel.rawValue {
      headerLabel = try Label.read(&reader)
    }
    if allowLabel {
      try options.checkLabel(headerLabel ?? "", present: headerLabel != nil, at: bytes.startIndex)
    }
    // A reply has no header but is still authenticated with our label.
    let label = headerLabel ?? options.label
    let envelopeStart = reader.position
    guard let first = reader.peekByte() else {
      throw WireError(.truncated, "stream ends before a message", at: reader.position)
    }
    var result: DecodedStreamMessage
    if first == MessageType.encrypt.rawValue {
      guard let keyring = options.keyring else {
        throw WireError(
          .unsupported, "stream message is encrypted but no key was given", at: envelopeStart)
      }
      _ = try reader.readByte()
      let length = Int(try reader.readBigEndian(UInt32.self))
      guard length <= Self.maximumEncryptedSize else {
        throw WireError(
          .tooLarge, "encrypted stream message announces \(length) bytes", at: envelopeStart)
      }
      let header = Array(bytes[envelopeStart..<reader.position])
      let blob = try reader.readSlice(count: length)
      let opened = try keyring.open(blob, additionalData: header + Array(label.utf8))
      do throws(WireError) {
        result = try decodePlain(opened.plaintext[...])
      } catch {
        throw error.inside("decrypted stream message", at: envelopeStart)
      }
      result.encryptionVersion = opened.version
      result.keyIndex = opened.keyIndex
    } else {
      if options.keyring != nil && options.verifyIncoming {
        throw WireError(
          .authentication, "stream message is not encrypted but encryption is required",
          at: envelopeStart)
      }
      result = try decodePlain(reader.remainder)
      _ = try reader.readSlice(count: result.consumedCount)
    }
    result.label = headerLabel
    result.consumedCount = reader.position - bytes.startIndex
    return result
  }

  /// Decodes a possibly compressed message; `consumedCount` counts the
  /// bytes of `bytes` it took.
  private func decodePlain(_ bytes: ArraySlice<UInt8>) throws(WireError) -> DecodedStreamMessage {
    var reader = MessagePackReader(bytes)
    let start = reader.position
    let typeByte = try reader.readByte()
    if typeByte == MessageType.compress.rawValue {
      let plain = try Compression.unwrap(&reader, limit: options.decompressionLimit)
      var inner: DecodedStreamMessage
      do throws(WireError) {
        var innerReader = MessagePackReader(plain)
        inner = try decodeMessage(&innerReader)
      } catch {
        throw error.inside("decompressed stream message", at: start)
      }
      inner.compressed = true
      inner.consumedCount = reader.position - start
      return inner
    }
    reader = MessagePackReader(bytes)
    return try decodeMessage(&reader)
  }

  private func decodeMessage(_ reader: inout MessagePackReader) throws(WireError)
    -> DecodedStreamMessage
  {
    let start = reader.position
    let typeByte = try reader.readByte()
    guard let type = MessageType(rawValue: typeByte),
      let message = try Message.decodeBody(type, from: &reader, transport: .stream)
    else {
      throw WireError(
        .unsupported, "message type \(typeByte) is not valid at the start of a stream message",
        at: start)
    }
    return DecodedStreamMessage(
      message: message, compressed: false, consumedCount: reader.position - start)
  }

  /// Encodes one stream message. `includeLabel` is true for the dialer's
  /// first message, which carries the label header.
  public func encode<G: RandomNumberGenerator>(
    _ message: Message, includeLabel: Bool, using generator: inout G
  ) throws(WireError) -> [UInt8] {
    var body = message.encoded(for: .stream, intStyle: options.intStyle)
    if options.compression {
      body = Compression.wrap(body)
    }
    if let keyring = options.outgoingKeyring {
      let length = UInt32(clamping: body.count + Keyring.overhead(version: 1))
      let header: [UInt8] = [
        MessageType.encrypt.rawValue, UInt8(truncatingIfNeeded: length >> 24),
        UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
        UInt8(truncatingIfNeeded: length),
      ]
      let sealed = try keyring.seal(
        body, additionalData: header + Array(options.label.utf8), using: &generator)
      body = header + sealed
    }
    return includeLabel && !options.label.isEmpty ? Label.header(options.label) + body : body
  }

  /// Encodes one stream message with the system's random generator.
  public func encode(_ message: Message, includeLabel: Bool) throws(WireError) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return try encode(message, includeLabel: includeLabel, using: &generator)
  }
}
