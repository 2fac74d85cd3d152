import RumorWire

/// The message values the benchmark encodes: shaped like what a Rumor or
/// Serf cluster actually sends, so sizes and field mixes are realistic.
enum Fixtures {
  /// memberlist's default gossip port.
  static let port: UInt16 = 7946

  /// A probe of a peer, with the Source fields protocol 5 peers send.
  static let ping = Ping(
    seqNo: 48_213, node: "web-02.dc1.internal", sourceAddr: [10, 0, 0, 1], sourcePort: port,
    sourceNode: "web-01.dc1.internal")

  /// The answer to `ping`, carrying what Serf's ping delegate puts in an
  /// ack: a version byte and the sender's network coordinate.
  static let ack = Ack(seqNo: 48_213, payload: serfCoordinate())

  /// Serf's `PingVersion` byte, then the msgpack of a `coordinate.Coordinate`
  /// with its default eight dimensions.
  private static func serfCoordinate() -> [UInt8] {
    var writer = MessagePackWriter(capacity: 128)
    writer.bytes.append(1)
    writer.writeMapHeader(count: 4)
    writer.writeString("Vec")
    writer.writeArrayHeader(count: 8)
    for dimension in 0..<8 {
      writer.writeDouble(Double(dimension + 1) * 0.000_137 - 0.000_41)
    }
    writer.writeString("Error")
    writer.writeDouble(0.186_3)
    writer.writeString("Adjustment")
    writer.writeDouble(0.000_052)
    writer.writeString("Height")
    writer.writeDouble(0.000_019)
    return writer.bytes
  }

  /// Serf tags encoded as node metadata of exactly `size` bytes when a
  /// value length gives it, else the largest size below.
  ///
  /// The tags are the ones a Serf agent and Rumor's service advertising
  /// set; the path of one service URL is what stretches them to size.
  static func serfMeta(size: Int) throws(WireError) -> [UInt8] {
    var best: [UInt8] = []
    for padding in 0...size {
      let tags = [
        "role": "node", "dc": "dc1", "id": "4b6e1c52-9f0e-4d8a-b4a1-2f7c3e0d9a61",
        "build": "0.1.0", "vsn": "1", "vsn_min": "1", "vsn_max": "1",
        "svc.redis": "tcp://10.0.0.7:6379",
        "svc.api": "http://10.0.0.7:8080/" + String(repeating: "v", count: padding),
      ]
      let meta = try SerfTags.encode(tags)
      if meta.count > size { break }
      best = meta
    }
    return best
  }

  /// A node's join announcement with the given metadata.
  static func alive(node: String, index: Int, meta: [UInt8]) -> Alive {
    Alive(
      incarnation: UInt32(3 + index % 5), node: node, addr: address(index), port: port,
      meta: meta, vsn: ProtocolVersions.rumor.bytes)
  }

  private static func address(_ index: Int) -> [UInt8] {
    [10, 0, UInt8(truncatingIfNeeded: 1 + index / 250), UInt8(truncatingIfNeeded: 1 + index % 250)]
  }

  /// Gossip item `index` of a steady rotation of alive, suspect and dead,
  /// about a different node each; `padding` lengthens the node name.
  static func gossip(_ index: Int, meta: [UInt8], padding: Int = 0) -> Message {
    let node = "app-\(index + 10).dc1.internal" + String(repeating: "z", count: padding)
    let accuser = "app-\(index + 3).dc1.internal"
    switch index % 3 {
    case 0: return .alive(alive(node: node, index: index, meta: meta))
    case 1: return .suspect(Suspect(incarnation: UInt32(2 + index % 7), node: node, from: accuser))
    default: return .dead(Dead(incarnation: UInt32(2 + index % 7), node: node, from: accuser))
    }
  }

  /// Gossip that `Packer` puts in one compound whose sealed datagram is as
  /// close to `budget` as message sizes allow: whole messages while they
  /// fit, then the last one's node name stretched to close the gap.
  static func fullCompound(budget: Int, overhead: Int, meta: [UInt8]) -> [Message] {
    var messages: [Message] = []
    var used = Compound.headerSize + overhead
    while true {
      let next = gossip(messages.count, meta: meta)
      let cost = next.encoded().count + Compound.perPartOverhead
      guard used + cost <= budget, messages.count < Compound.maximumParts else { break }
      messages.append(next)
      used += cost
    }
    let gap = budget - used
    guard gap > 0, let last = messages.popLast() else { return messages }
    let lastIndex = messages.count
    let baseSize = last.encoded().count
    var chosen = last
    // A name crossing 31 bytes gains a 2-byte longer header, so a length
    // that lands exactly may not exist; keep the largest that fits.
    for padding in 1...(gap + 2) {
      let candidate = gossip(lastIndex, meta: meta, padding: padding)
      if candidate.encoded().count - baseSize <= gap { chosen = candidate }
    }
    messages.append(chosen)
    return messages
  }
}
