import RumorWire

/// Incoming packets: decode, then hand each message to its rule.
extension SWIMNode {
  /// Handles one UDP datagram from `sender`. Bytes that do not decode are
  /// counted and dropped; whatever did decode is still handled.
  public mutating func receivePacket(_ bytes: [UInt8], from sender: NodeAddress, now: Timestamp)
    -> [Effect]
  {
    counters.packetsReceived += 1
    counters.bytesReceived += bytes.count
    let packet = codec.decode(bytes)
    counters.decodeErrors += packet.errors.count
    if packet.exceededLimits { counters.packetsOverLimits += 1 }
    notePacket(from: sender, now: now.nanoseconds)
    // The members the messages are about, looked up together first: the
    // lookups' cache misses overlap (`MemberTable.lookUp`).
    let lookups = table.lookUp(packet.messages.map(\.message.subject))
    for (decoded, lookup) in zip(packet.messages, lookups) {
      handle(decoded.message, from: sender, now: now.nanoseconds, lookedUp: lookup)
    }
    if !accusationGuard.pendingCorrections.isEmpty { sendCorrections() }
    return drainEffects()
  }

  /// Handles one decoded message, as if it had arrived in a packet.
  public mutating func receive(_ message: Message, from sender: NodeAddress, now: Timestamp)
    -> [Effect]
  {
    notePacket(from: sender, now: now.nanoseconds)
    handle(message, from: sender, now: now.nanoseconds)
    if !accusationGuard.pendingCorrections.isEmpty { sendCorrections() }
    return drainEffects()
  }

  /// `lookedUp`: the lookup of the member the message is about, made
  /// ahead (`MemberTable.lookUp`).
  mutating func handle(
    _ message: Message, from sender: NodeAddress, now: Int64,
    lookedUp: MemberTable.Lookup? = nil
  ) {
    switch message {
    case .ping(let ping): received(ping, from: sender)
    case .indirectPing(let request): received(request, from: sender, now: now)
    case .ack(let ack): received(ack, now: now)
    case .nack(let nack): received(nack, now: now)
    case .suspect(let suspect):
      correctIfStale(
        about: suspect.node, incarnation: suspect.incarnation, sender: sender, now: now)
      applySuspect(suspect, now: now, lookedUp: lookedUp)
    case .alive(let alive): applyAlive(AliveNews(alive), now: now, lookedUp: lookedUp)
    case .dead(let dead):
      if !dead.isLeave {
        correctIfStale(
          about: dead.node, incarnation: dead.incarnation, sender: sender, now: now)
      }
      applyDead(dead, now: now, lookedUp: lookedUp)
    case .user(let user): effects.append(.deliver(.message(user.payload)))
    case .pushPull, .error:
      // Stream-only messages; the packet codec already refuses them.
      counters.decodeErrors += 1
    }
  }
}
