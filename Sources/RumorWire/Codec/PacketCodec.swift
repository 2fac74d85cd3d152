/// Turns UDP payloads into messages and back, through every memberlist
/// layer: label header, AES-GCM, CRC-32, LZW compression and compounds.
///
/// Outgoing order: compress (if smaller), CRC, encrypt, label. Incoming is
/// the reverse. Decoding never traps and never throws: what could not be
/// decoded is reported in `DecodedPacket.errors`, next to whatever could.
public struct PacketCodec: Sendable {
  /// Label, keys and verification settings.
  public var options: WireOptions

  /// Compound and compress envelopes nest at most this deep: memberlist
  /// sends a message bare, in a compound, compressed, or a compound
  /// compressed, never deeper. An envelope below this depth is refused.
  public static let maximumNesting = 2

  /// The most messages one datagram may yield, errors included. A compound
  /// holds at most 255 parts and memberlist sends one per datagram; nested
  /// compounds could otherwise yield 255 × 255 messages (and as many error
  /// descriptions) from one 64 KiB datagram. What lies beyond is dropped
  /// and reported as one `.tooLarge` error.
  public static let maximumMessagesPerPacket = 512

  /// What each decompression is charged on top of its output, against
  /// `WireOptions.packetDecompressionBudget`: the LZW decoder sets up its
  /// 4,096-entry code table (64 KiB) however little it then produces, so
  /// a datagram of many tiny compress envelopes costs at least this each.
  public static let decompressionSetupCost = 64 << 10

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
    /// Whether decoding stopped at a per-datagram limit (message count,
    /// nesting or decompression budget); the rest was dropped.
    public var exceededLimits = false
  }

  /// What one datagram may still cost while it is decoded.
  private struct Budget {
    /// Messages and errors still allowed.
    var items = PacketCodec.maximumMessagesPerPacket
    /// Decompressed bytes (and table set-ups) still allowed.
    var decompressed: Int
    /// Set once the item budget ran out and that was reported.
    var itemsReported = false
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
          packet.exceededLimits = inner.exceededLimits
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
    var budget = Budget(decompressed: options.packetDecompressionBudget)
    dispatch(body, route: Route(), depth: 0, budget: &budget, into: &packet)
  }

  /// Whether another message or error may be taken from the datagram; the
  /// first refusal is reported as one error.
  private func takesItem(
    _ budget: inout Budget, at offset: Int, into packet: inout DecodedPacket
  ) -> Bool {
    if budget.items > 0 {
      budget.items -= 1
      return true
    }
    if !budget.itemsReported {
      budget.itemsReported = true
      packet.exceededLimits = true
      packet.errors.append(
        WireError(
          .tooLarge,
          "packet holds more than \(Self.maximumMessagesPerPacket) messages; the rest is dropped",
          at: offset))
    }
    return false
  }

  private func dispatch(
    _ bytes: ArraySlice<UInt8>, route: Route, depth: Int, budget: inout Budget,
    into packet: inout DecodedPacket
  ) {
    var reader = MessagePackReader(bytes)
    let start = reader.position
    guard budget.items > 0 else {
      _ = takesItem(&budget, at: start, into: &packet)
      return
    }
    do throws(WireError) {
      let typeByte = try reader.readByte()
      guard let type = MessageType(rawValue: typeByte) else {
        throw WireError(.unsupported, "unknown message type \(typeByte)", at: start)
      }
      if type == .compound || type == .compress, depth >= Self.maximumNesting {
        packet.exceededLimits = true
        throw WireError(
          .tooLarge, "envelopes nested deeper than \(Self.maximumNesting)", at: start)
      }
      switch type {
      case .compound:
        let (parts, truncation) = try Compound.parts(&reader)
        packet.messages.reserveCapacity(packet.messages.count + parts.count)
        for (index, part) in parts.enumerated() {
          guard budget.items > 0 else {
            // Parts are left over: report the overflow (once) and stop.
            _ = takesItem(&budget, at: start, into: &packet)
            break
          }
          let step = Route.Step.compoundPart(index: index + 1, count: parts.count)
          dispatch(
            part, route: route.appending(step), depth: depth + 1, budget: &budget, into: &packet)
        }
        if let truncation, takesItem(&budget, at: start, into: &packet) {
          packet.errors.append(truncation)
        }
      case .compress:
        // Each decompression is charged its table set-up and its output
        // against what is left of the datagram's budget.
        let allowed = budget.decompressed - Self.decompressionSetupCost
        guard allowed > 0 else {
          packet.exceededLimits = true
          throw WireError(
            .tooLarge,
            "packet decompresses to more than \(options.packetDecompressionBudget) bytes",
            at: start)
        }
        let plain: [UInt8]
        do throws(WireError) {
          plain = try Compression.unwrap(
            &reader, limit: min(options.decompressionLimit, allowed))
        } catch  where error.kind == .tooLarge {
          // The envelope spent everything it was allowed: the next ones
          // in the datagram must not get the same budget again.
          budget.decompressed = 0
          packet.exceededLimits = true
          throw error
        }
        budget.decompressed = allowed - plain.count
        // Decoded into `packet` itself, not into a packet of its own whose
        // messages would then be copied over; the errors found inside are
        // then marked as such.
        let errorsBefore = packet.errors.count
        dispatch(
          plain[...], route: route.appending(.compressed), depth: depth + 1, budget: &budget,
          into: &packet)
        for index in packet.errors.indices.dropFirst(errorsBefore) {
          packet.errors[index] = packet.errors[index].inside("decompressed payload", at: start)
        }
      case .pushPull, .error, .encrypt, .hasCRC, .hasLabel:
        throw WireError(
          .unsupported, "message type \(typeByte) (\(type.name)) is not valid in a UDP packet",
          at: start)
      default:
        if let message = try Message.decodeBody(type, from: &reader, transport: .packet),
          takesItem(&budget, at: start, into: &packet)
        {
          packet.messages.append(DecodedMessage(message: message, route: route))
        }
      }
    } catch {
      if takesItem(&budget, at: start, into: &packet) { packet.errors.append(error) }
    }
  }

  // MARK: Encoding

  /// Wraps a message or compound for sending: compress if that makes it
  /// smaller, add a CRC if `checksum` (peers of protocol 5 and up), encrypt
  /// with the primary key and a nonce from `options.nonceSource` (never
  /// from the protocol's generator), and put the label in front.
  public func seal(_ payload: [UInt8], checksum: Bool) throws(WireError) -> [UInt8] {
    var body: [UInt8]
    if checksum {
      // Compressed with room left for the CRC header: one array.
      if var framed = compressedIfSmaller(payload, prefix: CRC32.headerSize) {
        CRC32.fillHeader(&framed)
        body = framed
      } else {
        body = CRC32.wrap(payload)
      }
    } else {
      body = compressedIfSmaller(payload, prefix: 0) ?? payload
    }
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

  /// The compress envelope of `payload` after `prefix` free bytes, if
  /// compression is on and makes it shorter; nil to send it as it is.
  private func compressedIfSmaller(_ payload: [UInt8], prefix: Int) -> [UInt8]? {
    guard options.compression, payload.count >= Self.smallestWorthCompressing else {
      return nil
    }
    return Compression.wrap(payload[...], ifShorterThan: payload.count, prefix: prefix)
  }

  /// Bytes `seal` adds at most on top of the payload (label, CRC when
  /// `checksum`, encryption); compression only ever shrinks what it wraps.
  public func overhead(checksum: Bool) -> Int {
    Label.overhead(options.label) + (checksum ? CRC32.headerSize : 0)
      + (options.outgoingKeyring == nil ? 0 : Keyring.overhead(version: 1))
  }
}
