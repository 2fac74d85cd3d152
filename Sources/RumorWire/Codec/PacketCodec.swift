/// Turns UDP payloads into messages and back, through every memberlist
/// layer: label header, AES-GCM, CRC-32, LZW compression and compounds.
///
/// Outgoing order: compress (if smaller), CRC, encrypt, label. Incoming is
/// the reverse. Decoding never traps and never throws: what could not be
/// decoded is reported in `DecodedPacket.errors`, next to whatever could.
public struct PacketCodec: Sendable {
  /// Label, keys and verification settings.
  public var options: WireOptions

  /// Compounds and compress envelopes nest at most this deep.
  public static let maximumNesting = 8

  /// Creates a codec.
  public init(options: WireOptions = WireOptions()) {
    self.options = options
  }

  // MARK: Decoding

  /// Everything found in one packet.
  public struct DecodedPacket: Hashable, Sendable {
    /// The label the packet carried ("" for none).
    public var label: String = ""
    /// The encryption version, when the packet was encrypted.
    public var encryptionVersion: UInt8?
    /// Which key of the keyring decrypted it.
    public var keyIndex: Int?
    /// The CRC-32 the packet carried (already verified).
    public var checksum: UInt32?
    /// The messages, in packet order.
    public var messages: [DecodedMessage] = []
    /// Why some or all of the packet was dropped; empty when all is well.
    public var errors: [WireError] = []
  }

  /// Decodes one UDP payload.
  public func decode(_ datagram: [UInt8]) -> DecodedPacket {
    var packet = DecodedPacket()
    do throws(WireError) {
      var reader = MessagePackReader(datagram)
      let labelPresent = reader.peekByte() == MessageType.hasLabel.rawValue
      packet.label = try Label.read(&reader)
      try options.checkLabel(packet.label, present: labelPresent, at: 0)
      guard !reader.isAtEnd else {
        throw WireError(.truncated, "packet has no message", at: reader.position)
      }
      let start = reader.position
      if let keyring = options.keyring {
        do throws(WireError) {
          let opened = try keyring.open(reader.remainder, additionalData: Array(packet.label.utf8))
          packet.encryptionVersion = opened.version
          packet.keyIndex = opened.keyIndex
          var inner = DecodedPacket()
          decodePlaintext(opened.plaintext[...], into: &inner)
          packet.checksum = inner.checksum
          packet.messages = inner.messages
          packet.errors = inner.errors.map { $0.inside("decrypted payload", at: start) }
          return packet
        } catch  where options.verifyIncoming {
          throw error
        } catch {
          // Migration mode (verifyIncoming off): plaintext is accepted.
        }
      }
      decodePlaintext(reader.remainder, into: &packet)
    } catch {
      packet.errors.append(error)
    }
    return packet
  }

  private func decodePlaintext(_ bytes: ArraySlice<UInt8>, into packet: inout DecodedPacket) {
    var body = bytes
    if bytes.count >= CRC32.headerSize, bytes.first == MessageType.hasCRC.rawValue {
      var reader = MessagePackReader(bytes)
      do {
        packet.checksum = try CRC32.unwrap(&reader)
        body = reader.remainder
      } catch {
        packet.errors.append(error)
        return
      }
    }
    dispatch(body, route: Route(), depth: 0, into: &packet)
  }

  private func dispatch(
    _ bytes: ArraySlice<UInt8>, route: Route, depth: Int, into packet: inout DecodedPacket
  ) {
    var reader = MessagePackReader(bytes)
    let start = reader.position
    do throws(WireError) {
      guard depth <= Self.maximumNesting else {
        throw WireError(
          .unsupported, "envelopes nested deeper than \(Self.maximumNesting)", at: start)
      }
      let typeByte = try reader.readByte()
      guard let type = MessageType(rawValue: typeByte) else {
        throw WireError(.unsupported, "unknown message type \(typeByte)", at: start)
      }
      switch type {
      case .compound:
        let (parts, truncation) = try Compound.parts(&reader)
        for (index, part) in parts.enumerated() {
          let step = Route.Step.compoundPart(index: index + 1, count: parts.count)
          dispatch(part, route: route.appending(step), depth: depth + 1, into: &packet)
        }
        if let truncation { packet.errors.append(truncation) }
      case .compress:
        let plain = try Compression.unwrap(&reader, limit: options.decompressionLimit)
        var inner = DecodedPacket()
        dispatch(plain[...], route: route.appending(.compressed), depth: depth + 1, into: &inner)
        packet.messages += inner.messages
        packet.errors += inner.errors.map { $0.inside("decompressed payload", at: start) }
      case .pushPull, .error, .encrypt, .hasCRC, .hasLabel:
        throw WireError(
          .unsupported, "message type \(typeByte) (\(type.name)) is not valid in a UDP packet",
          at: start)
      default:
        if let message = try Message.decodeBody(type, from: &reader, transport: .packet) {
          packet.messages.append(DecodedMessage(message: message, route: route))
        }
      }
    } catch {
      packet.errors.append(error)
    }
  }

  // MARK: Encoding

  /// Wraps a message or compound for sending: compress if that makes it
  /// smaller, add a CRC if `checksum` (peers of protocol 5 and up), encrypt
  /// with the primary key and a nonce from `options.nonceSource` (never
  /// from the protocol's generator), and put the label in front.
  public func seal(_ payload: [UInt8], checksum: Bool) throws(WireError) -> [UInt8] {
    var body = compressIfSmaller(payload)
    if checksum { body = CRC32.wrap(body) }
    if let keyring = options.outgoingKeyring {
      body = try keyring.seal(
        body, additionalData: Array(options.label.utf8), nonceSource: options.nonceSource)
    }
    return options.label.isEmpty ? body : Label.header(options.label) + body
  }

  /// LZW only pays off on larger payloads; below this memberlist's attempt
  /// always fails (the compress envelope alone is 13 bytes), so it is
  /// skipped. Receivers accept either form.
  static let smallestWorthCompressing = 96

  private func compressIfSmaller(_ payload: [UInt8]) -> [UInt8] {
    guard options.compression, payload.count >= Self.smallestWorthCompressing else {
      return payload
    }
    let compressed = Compression.wrap(payload)
    return compressed.count < payload.count ? compressed : payload
  }

  /// Bytes `seal` adds at most on top of the payload (label, CRC when
  /// `checksum`, encryption); compression only ever shrinks what it wraps.
  public func overhead(checksum: Bool) -> Int {
    Label.overhead(options.label) + (checksum ? CRC32.headerSize : 0)
      + (options.outgoingKeyring == nil ? 0 : Keyring.overhead(version: 1))
  }
}
