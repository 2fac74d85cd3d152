/// Takes bytes apart through every layer, Serf's included, and describes
/// each message as JSON: the engine of `rumor decode`, and the decode path
/// the fuzzer and the robustness tests drive.
public enum Inspector {
  /// What was found: one JSON object per message, and every problem.
  public struct Report: Sendable {
    /// One object per message, each with a `type` field and `via`, the
    /// envelopes it came in.
    public var messages: [JSONValue] = []
    /// What could not be decoded, in input order.
    public var errors: [WireError] = []
  }

  /// Decodes one UDP payload.
  public static func inspectPacket(_ bytes: [UInt8], options: WireOptions) -> Report {
    let packet = PacketCodec(options: options).decode(bytes)
    var outer: [String] = []
    if !packet.label.isEmpty { outer.append("label:\(packet.label)") }
    if let version = packet.encryptionVersion, let key = packet.keyIndex {
      outer.append("encrypted:v\(version):key\(key + 1)")
    }
    if let checksum = packet.checksum { outer.append("crc:\(hex32(checksum))") }
    var report = Report(errors: packet.errors)
    for decoded in packet.messages {
      let via = outer + decoded.route.steps.map(describe)
      report.messages.append(describe(decoded.message, via: via, errors: &report.errors))
    }
    return report
  }

  /// Decodes every message of one direction of a TCP stream.
  public static func inspectStream(_ bytes: [UInt8], options: WireOptions) -> Report {
    let codec = StreamCodec(options: options)
    var report = Report()
    var rest = bytes[...]
    var first = true
    while !rest.isEmpty {
      do throws(WireError) {
        let decoded = try codec.decode(rest, allowLabel: first)
        var via: [String] = []
        if let label = decoded.label { via.append("label:\(label)") }
        if let version = decoded.encryptionVersion, let key = decoded.keyIndex {
          via.append("encrypted:v\(version):key\(key + 1)")
        }
        if decoded.compressed { via.append("compressed") }
        report.messages.append(describe(decoded.message, via: via, errors: &report.errors))
        rest = rest.dropFirst(decoded.consumedCount)
        first = false
      } catch {
        report.errors.append(error)
        break
      }
    }
    return report
  }

  private static func describe(_ step: Route.Step) -> String {
    switch step {
    case .compressed: "compressed"
    case .compoundPart(let index, let count): "compound:\(index)/\(count)"
    }
  }

  // MARK: Messages

  /// Describes one message; problems in inner payloads (Serf bodies, tags)
  /// are appended to `errors` and the message is still described.
  public static func describe(_ message: Message, via: [String], errors: inout [WireError])
    -> JSONValue
  {
    var fields: [(key: String, value: JSONValue)] = [("type", .string(message.type.name))]
    switch message {
    case .ping(let ping):
      fields += [("seq_no", .count(ping.seqNo)), ("node", .string(ping.node))]
      fields += source(ping.sourceAddr, ping.sourcePort, ping.sourceNode)
    case .indirectPing(let request):
      fields += [
        ("seq_no", .count(request.seqNo)), ("target", .string(IPAddress.format(request.target))),
        ("port", .count(request.port)), ("node", .string(request.node)),
        ("nack", .bool(request.nack)),
      ]
      fields += source(request.sourceAddr, request.sourcePort, request.sourceNode)
    case .ack(let ack):
      fields += [("seq_no", .count(ack.seqNo)), ("payload", bytes(ack.payload))]
      // Serf puts a ping version byte and its network coordinate here.
      if ack.payload.first == 1 {
        var reader = MessagePackReader(ack.payload.dropFirst())
        if let coordinate = try? reader.readValue() {
          fields.append(("coordinate", generic(coordinate)))
        }
      }
    case .nack(let nack):
      fields.append(("seq_no", .count(nack.seqNo)))
    case .suspect(let suspect):
      fields += [
        ("incarnation", .count(suspect.incarnation)), ("node", .string(suspect.node)),
        ("from", .string(suspect.from)),
      ]
    case .dead(let dead):
      fields += [
        ("incarnation", .count(dead.incarnation)), ("node", .string(dead.node)),
        ("from", .string(dead.from)), ("leave", .bool(dead.isLeave)),
      ]
    case .alive(let alive):
      fields += [
        ("incarnation", .count(alive.incarnation)), ("node", .string(alive.node)),
        ("addr", .string(IPAddress.format(alive.addr))), ("port", .count(alive.port)),
      ]
      fields += meta(alive.meta, errors: &errors)
      fields.append(("vsn", .array(alive.vsn.map { .count($0) })))
    case .pushPull(let pushPull):
      fields.append(("join", .bool(pushPull.join)))
      fields.append(("nodes", .array(pushPull.states.map { nodeState($0, errors: &errors) })))
      fields.append(("user_state", bytes(pushPull.userState)))
      if !pushPull.userState.isEmpty {
        fields.append(("serf", serf(pushPull.userState[...], errors: &errors)))
      }
    case .user(let user):
      fields.append(("payload", bytes(user.payload)))
      if !user.payload.isEmpty {
        fields.append(("serf", serf(user.payload[...], errors: &errors)))
      }
    case .error(let response):
      fields.append(("error", .string(response.error)))
    }
    fields.append(("via", .array(via.map { .string($0) })))
    return .object(fields)
  }

  private static func source(_ addr: [UInt8], _ port: UInt16, _ node: String) -> [(
    key: String, value: JSONValue
  )] {
    var fields: [(key: String, value: JSONValue)] = []
    if !addr.isEmpty { fields.append(("source_addr", .string(IPAddress.format(addr)))) }
    if port != 0 { fields.append(("source_port", .count(port))) }
    if !node.isEmpty { fields.append(("source_node", .string(node))) }
    return fields
  }

  private static func meta(_ meta: [UInt8], errors: inout [WireError]) -> [(
    key: String, value: JSONValue
  )] {
    var fields: [(key: String, value: JSONValue)] = [("meta", bytes(meta))]
    do throws(WireError) {
      let tags = try SerfTags.decode(meta)
      fields.append(
        ("tags", .object(tags.keys.sorted().map { ($0, .string(tags[$0] ?? "")) })))
    } catch {
      errors.append(error.inside("node meta", at: 0))
    }
    return fields
  }

  private static func nodeState(_ state: PushNodeState, errors: inout [WireError]) -> JSONValue {
    var fields: [(key: String, value: JSONValue)] = [
      ("name", .string(state.name)), ("addr", .string(IPAddress.format(state.addr))),
      ("port", .count(state.port)), ("incarnation", .count(state.incarnation)),
      ("state", state.state.map { .string(stateName($0)) } ?? .integer(state.stateCode)),
    ]
    fields += meta(state.meta, errors: &errors)
    fields.append(("vsn", .array(state.vsn.map { .count($0) })))
    return .object(fields)
  }

  private static func stateName(_ state: WireMemberState) -> String {
    switch state {
    case .alive: "alive"
    case .suspect: "suspect"
    case .dead: "dead"
    case .left: "left"
    }
  }

  // MARK: Serf

  private static func serf(_ payload: ArraySlice<UInt8>, errors: inout [WireError]) -> JSONValue {
    do throws(WireError) {
      return serfJSON(try SerfMessage(decoding: payload), errors: &errors, depth: 0)
    } catch {
      errors.append(error.inside("Serf message", at: 0))
      return .null
    }
  }

  private static func serfJSON(_ message: SerfMessage, errors: inout [WireError], depth: Int)
    -> JSONValue
  {
    let name = SerfMessageType(rawValue: message.typeByte)?.name ?? "type_\(message.typeByte)"
    var fields: [(key: String, value: JSONValue)] = [("type", .string(name))]
    switch message {
    case .leave(let leave):
      fields += [
        ("ltime", .count(leave.lamportTime)), ("node", .string(leave.node)),
        ("prune", .bool(leave.prune)),
      ]
    case .join(let join):
      fields += [("ltime", .count(join.lamportTime)), ("node", .string(join.node))]
    case .userEvent(let event):
      fields += [
        ("ltime", .count(event.lamportTime)), ("name", .string(event.name)),
        ("payload", bytes(event.payload)), ("cc", .bool(event.coalesce)),
      ]
    case .query(let query):
      fields += [
        ("ltime", .count(query.lamportTime)), ("id", .count(query.id)),
        ("addr", .string(IPAddress.format(query.addr))), ("port", .count(query.port)),
        ("source_node", .string(query.sourceNode)),
        ("filters", .array(query.filters.map { bytes($0) })), ("flags", .count(query.flags)),
        ("relay_factor", .count(query.relayFactor)),
        ("timeout_ns", .integer(query.timeoutNanoseconds)), ("name", .string(query.name)),
        ("payload", bytes(query.payload)),
      ]
    case .queryResponse(let response):
      fields += [
        ("ltime", .count(response.lamportTime)), ("id", .count(response.id)),
        ("from", .string(response.from)), ("flags", .count(response.flags)),
        ("payload", bytes(response.payload)),
      ]
    case .pushPull(let state):
      let times = state.statusLamportTimes.keys.sorted().map {
        (key: $0, value: JSONValue.count(state.statusLamportTimes[$0] ?? 0))
      }
      let events = state.events.compactMap { $0 }.map { batch in
        JSONValue.object([
          ("ltime", .count(batch.lamportTime)),
          (
            "events",
            .array(
              batch.events.map {
                .object([("name", .string($0.name)), ("payload", bytes($0.payload))])
              })
          ),
        ])
      }
      fields += [
        ("ltime", .count(state.lamportTime)), ("status_ltimes", .object(times)),
        ("left_members", .array(state.leftMembers.map { .string($0) })),
        ("event_ltime", .count(state.eventLamportTime)),
        ("event_slots", .count(state.events.count)),
        ("events", .array(events)), ("query_ltime", .count(state.queryLamportTime)),
      ]
    case .relay(let relay):
      fields += [
        ("dest_addr", .string(IPAddress.format(relay.address))),
        ("dest_port", .integer(relay.port)),
        ("dest_name", .string(relay.destinationName)),
      ]
      // A relay inside a relay is not something Serf sends; stop there.
      if depth == 0 {
        do throws(WireError) {
          let inner = try SerfMessage(decoding: relay.inner[...])
          fields.append(("inner", serfJSON(inner, errors: &errors, depth: 1)))
        } catch {
          errors.append(error.inside("relayed Serf message", at: 0))
        }
      }
    case .other(let type, let body):
      fields += [("type_byte", .count(type)), ("body", bytes(body))]
    }
    return .object(fields)
  }

  // MARK: Values

  private static func bytes(_ bytes: [UInt8]) -> JSONValue {
    bytes.isEmpty ? .null : .string(Hex.encode(bytes))
  }

  /// A generic msgpack value: raw as text when it is printable UTF-8, else
  /// as `hex:…`.
  public static func generic(_ value: MessagePackValue) -> JSONValue {
    switch value {
    case .nil: return .null
    case .bool(let flag): return .bool(flag)
    case .unsigned(let number): return .count(number)
    case .signed(let number): return .integer(number)
    case .double(let number): return .number(number)
    case .raw(let raw):
      if let text = String(validating: raw, as: UTF8.self),
        text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
      {
        return .string(text)
      }
      return .string("hex:" + Hex.encode(raw))
    case .array(let elements): return .array(elements.map(generic))
    case .map(let entries):
      return .object(
        entries.map { entry in
          (key: entry.key.stringValue ?? keyText(entry.key), value: generic(entry.value))
        })
    case .extension(let type, let data):
      return .object([("ext_type", .integer(Int64(type))), ("data", .string(Hex.encode(data)))])
    }
  }

  /// A map key that is not a string, as an object key. An array or map key
  /// is shown as `msgpack:` and its bytes in hex: as JSON text it would be
  /// escaped once more at every level of keys nested in keys, doubling the
  /// text each time (24 levels already took 3 s and 360 MB; 31 are legal).
  private static func keyText(_ key: MessagePackValue) -> String {
    switch key {
    case .array, .map:
      var writer = MessagePackWriter()
      writer.write(key)
      return "msgpack:" + Hex.encode(writer.bytes)
    default:
      return generic(key).text
    }
  }
}
