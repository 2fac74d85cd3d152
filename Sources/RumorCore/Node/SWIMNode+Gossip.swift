import RumorWire

/// Sending: piggybacking queued news on every packet, the gossip loop, and
/// the packet encoding shared by all sends.
extension SWIMNode {
  /// Sends `message` with as much queued news piggybacked as fits, with
  /// no CRC: memberlist's generic send path (pings, acks, indirect pings,
  /// nacks), which looks the destination up by its IP among node names,
  /// finds no one (names are not IPs), and so never adds one. Gossip, the
  /// ping and suspicion to a suspect, and messages to a known member
  /// (`sendRaw`) carry one when the member speaks protocol 5.
  mutating func send(_ message: [UInt8], to target: NodeAddress) {
    let space = packer(checksum: false).space(afterPrimary: message.count)
    let news = takeBroadcasts(
      space: space, maximumCount: Compound.maximumParts - 1, destination: target)
    if news.isEmpty {
      seal(message, to: target, checksum: false)
    } else if let compound = try? Compound.encode([message[...]] + news) {
      seal(compound, to: target, checksum: false)
    }
  }

  /// How this node fits messages into its packet budget, sealed with or
  /// without a checksum.
  func packer(checksum: Bool) -> Packer {
    Packer(budget: settings.packetBudget, overhead: codec.overhead(checksum: checksum))
  }

  /// Sends `bytes` as they are (a message or a compound), no piggybacking,
  /// with a CRC when `protocolMax` (the member's, if known) is 5 or more.
  mutating func sendRaw(_ bytes: [UInt8], to target: NodeAddress, protocolMax: UInt8?) {
    seal(bytes, to: target, checksum: (protocolMax ?? 0) >= 5)
  }

  private mutating func seal(_ payload: [UInt8], to target: NodeAddress, checksum: Bool) {
    guard let packet = try? codec.seal(payload, checksum: checksum) else { return }
    counters.packetsSent += 1
    counters.bytesSent += packet.count
    counters.largestPacket = max(counters.largestPacket, packet.count)
    effects.append(.send(bytes: packet, to: target))
  }

  /// Queued memberlist news first, then delegate (Serf) messages, for a
  /// packet to `destination`.
  ///
  /// A delegate message queued as held by `destination` (a Serf query
  /// going back to its asker) is left for other packets while some other
  /// member is active to take it. Memberlist has no such rule. A query is
  /// gossiped only `retransmitLimit` times (twice in the local profile up
  /// to nine members), and a member that got it just before a ping from
  /// its asker spent one send on the ack to the asker and the other on
  /// its next gossip round's first target, the asker again: the third
  /// member never heard the query (docs/protocol.md, "Choices Rumor
  /// made").
  mutating func takeBroadcasts(space: Int, maximumCount: Int, destination: NodeAddress?)
    -> [ArraySlice<UInt8>]
  {
    let limit = retransmitLimit
    var news = broadcasts.take(
      space: space, overheadEach: Compound.perPartOverhead, limit: limit, maximumCount: maximumCount
    )
    if !userBroadcasts.isEmpty && news.count < maximumCount {
      let used = news.reduce(0) { $0 + $1.count + Compound.perPartOverhead }
      // With this node and the holder the only active members, nobody
      // else could take the message: it goes as memberlist sends it.
      let skipping = table.activeCount > 2 ? destination : nil
      news += userBroadcasts.take(
        space: space - used, overheadEach: Compound.perPartOverhead, limit: limit,
        maximumCount: maximumCount - news.count, skippingHeldBy: skipping)
    }
    return news
  }

  /// One gossip round: queued news to a few random members that are alive,
  /// suspect, or recently dead (so they learn it and can refute).
  /// With guarded accusations, corrections sent since the last rounds
  /// stand in for some of the random targets (`correctIfStale`), so that
  /// they add no packets.
  mutating func gossip(now: Int64) {
    let taken = accusationGuard.gossipCredit > 0 ? gossipTargetsTakenByCorrections() : 0
    guard !broadcasts.isEmpty || !userBroadcasts.isEmpty else { return }
    let me = name
    let horizon = gossipToTheDead
    let count = settings.gossipNodes - taken
    let targets = table.randomPositions(count, using: &random) { record in
      guard record.name != me else { return false }
      switch record.state {
      case .alive, .suspect: return true
      case .dead: return now.subtractingSaturating(record.stateChange) <= horizon
      case .left: return false
      }
    }
    for position in targets {
      let target = table[position]
      let protocolMax = table.versions(at: position).protocolMax
      let checksum = protocolMax >= 5
      let news = takeBroadcasts(
        space: packer(checksum: checksum).gossipSpace, maximumCount: Compound.maximumParts,
        destination: target.address)
      // Nothing for this target: the round ends, as memberlist's does,
      // unless what is left was passed over because this target holds it
      // already; then it may suit the next target.
      if news.isEmpty {
        guard !userBroadcasts.isEmpty && userBroadcasts.passedOverHeld else { return }
        continue
      }
      if news.count == 1 {
        sendRaw(Array(news[0]), to: target.address, protocolMax: protocolMax)
      } else if let compound = try? Compound.encode(news) {
        sendRaw(compound, to: target.address, protocolMax: protocolMax)
      }
    }
  }
}

extension SWIMNode {
  /// Forgets every queued broadcast, memberlist's and the user messages',
  /// as if gossip had sent each as often as it sends any news. For a
  /// simulator that starts a cluster as one that converged long ago
  /// (`rumor-sim --converged-start`): its members told each other all they
  /// know long since, and their queues are empty, whatever a merge of the
  /// seeded views queued. Not for a running node, whose news would then
  /// never go out.
  @_spi(Simulation) public mutating func settleGossip() {
    broadcasts.removeAll()
    userBroadcasts.removeAll()
  }
}
