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

    /// Creates a decoded message.
    public init(
      message: Message, label: String? = nil, encryptionVersion: UInt8? = nil,
      keyIndex: Int? = nil, compressed: Bool = false, consumedCount: Int = 0
    ) {
      self.message = message
      self.label = label
      self.encryptionVersion = encryptionVersion
      self.keyIndex = keyIndex
      self.compressed = compressed
      self.consumedCount = consumedCount
    }
  }

  /// The envelope around one stream message.
  public struct Envelope: Hashable, Sendable {
    /// The label header, if the bytes started with one.
    public var label: String?
    /// The encryption version, when the message was encrypted.
    public var encryptionVersion: UInt8?
    /// Which key of the keyring decrypted it.
    public var keyIndex: Int?
    /// Whether it was LZW-compressed.
    public var compressed = false
    /// How many input bytes it took; the next message (if any) starts there.
    public var consumedCount = 0
  }

  /// Decodes the message at the front of `bytes`.
  ///
  /// `allowLabel` is true for what a dialer sent (it may start with the
  /// label header); a reply carries none. An error of kind `.truncated`
  /// with no `layers` means the stream may simply need more bytes.
  public func decode(_ bytes: ArraySlice<UInt8>, allowLabel: Bool = true) throws(WireError)
    -> DecodedStreamMessage
  {
    let (message, envelope) = try decode(bytes, allowLabel: allowLabel) {
      (reader) throws(WireError) -> Message in
      let start = reader.position
      let typeByte = try reader.readByte()
      guard let type = MessageType(rawValue: typeByte),
        let message = try Message.decodeBody(type, from: &reader, transport: .stream)
      else {
        throw WireError(
          .unsupported, "message type \(typeByte) is not valid at the start of a stream message",
          at: start)
      }
      return message
    }
    return DecodedStreamMessage(
      message: message, label: envelope.label, encryptionVersion: envelope.encryptionVersion,
      keyIndex: envelope.keyIndex, compressed: envelope.compressed,
      consumedCount: envelope.consumedCount)
  }

  /// Unwraps the message at the front of `bytes` (label, encryption,
  /// compression) and lets `parse` read it from its type byte on, so that
  /// a caller can take a large message apart piece by piece (see
  /// `PushPullReader`) instead of building it whole.
  public func decode<Value>(
    _ bytes: ArraySlice<UInt8>, allowLabel: Bool,
    parse: (inout MessagePackReader) throws(WireError) -> Value
  ) throws(WireError) -> (value: Value, envelope: Envelope) {
    var reader = MessagePackReader(bytes)
    var envelope = Envelope()
    if allowLabel, reader.peekByte() == MessageType.hasLabel.rawValue {
      envelope.label = try Label.read(&reader)
    }
    if allowLabel {
      try options.checkLabel(
        envelope.label ?? "", present: envelope.label != nil, at: bytes.startIndex)
    }
    // A reply has no header but is still authenticated with our label.
    let label = envelope.label ?? options.label
    let envelopeStart = reader.position
    guard let first = reader.peekByte() else {
      throw WireError(.truncated, "stream ends before a message", at: reader.position)
    }
    let value: Value
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
        var inner = MessagePackReader(opened.plaintext)
        value = try parsePlain(&inner, compressed: &envelope.compressed, parse: parse)
      } catch {
        throw error.inside("decrypted stream message", at: envelopeStart)
      }
      envelope.encryptionVersion = opened.version
      envelope.keyIndex = opened.keyIndex
    } else {
      if options.keyring != nil && options.verifyIncoming {
        throw WireError(
          .authentication, "stream message is not encrypted but encryption is required",
          at: envelopeStart)
      }
      value = try parsePlain(&reader, compressed: &envelope.compressed, parse: parse)
    }
    envelope.consumedCount = reader.position - bytes.startIndex
    return (value, envelope)
  }

  /// Parses a possibly compressed message at the reader's position and
  /// leaves the reader after it.
  private func parsePlain<Value>(
    _ reader: inout MessagePackReader, compressed: inout Bool,
    parse: (inout MessagePackReader) throws(WireError) -> Value
  ) throws(WireError) -> Value {
    guard reader.peekByte() == MessageType.compress.rawValue else {
      return try parse(&reader)
    }
    let start = reader.position
    _ = try reader.readByte()
    let plain = try Compression.unwrap(&reader, limit: options.decompressionLimit)
    compressed = true
    do throws(WireError) {
      var inner = MessagePackReader(plain)
      return try parse(&inner)
    } catch {
      throw error.inside("decompressed stream message", at: start)
    }
  }

  /// Encodes one stream message. `includeLabel` is true for the dialer's
  /// first message, which carries the label header.
  public func encode(_ message: Message, includeLabel: Bool) throws(WireError) -> [UInt8] {
    try encode(
      encoded: message.encoded(for: .stream, intStyle: options.intStyle),
      includeLabel: includeLabel)
  }

  /// Wraps an already encoded stream message (type byte first, as
  /// `PushPullWriter` makes them) for sending; the nonce comes from
  /// `options.nonceSource`, never from the protocol's generator.
  public func encode(encoded message: [UInt8], includeLabel: Bool) throws(WireError) -> [UInt8] {
    var body = message
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
        body, additionalData: header + Array(options.label.utf8),
        nonceSource: options.nonceSource)
      body = header + sealed
    }
    return includeLabel && !options.label.isEmpty ? Label.header(options.label) + body : body
  }
}
