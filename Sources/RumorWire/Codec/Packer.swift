/// Fits messages into UDP packets within a byte budget, the way memberlist
/// piggybacks gossip on probes and batches it in compounds.
///
/// The budget (memberlist's `UDPBufferSize`, 1400 by default) counts the
/// finished packet: compound header, label, CRC and encryption included.
public struct Packer: Sendable {
  /// memberlist's default `UDPBufferSize`.
  public static let defaultBudget = 1400

  /// Largest packet to build, in bytes.
  public var budget: Int
  /// Bytes sealing adds to every packet (see `PacketCodec.overhead`).
  public var overhead: Int

  /// Creates a packer.
  public init(budget: Int = Packer.defaultBudget, overhead: Int = 0) {
    self.budget = budget
    self.overhead = overhead
  }

  /// Bytes left for piggybacked messages after a primary message of
  /// `primaryCount` bytes; each piggybacked message costs its length plus 2.
  public func space(afterPrimary primaryCount: Int) -> Int {
    budget - primaryCount - Compound.headerSize - Compound.perPartOverhead - overhead
  }

  /// Bytes for the messages of a packet that carries gossip alone (a
  /// compound, each message costing its length plus 2).
  public var gossipSpace: Int { budget - Compound.headerSize - overhead }

  /// Picks, in order, the candidates that fit in `space` bytes (each costs
  /// its length plus 2), skipping any that do not fit and going on, and at
  /// most `maximumCount` of them. Returns their indices.
  public static func select(
    _ candidates: [[UInt8]], space: Int, maximumCount: Int = Compound.maximumParts
  ) -> [Int] {
    var remaining = space
    var chosen: [Int] = []
    for (index, candidate) in candidates.enumerated() where chosen.count < maximumCount {
      let cost = candidate.count + Compound.perPartOverhead
      guard cost <= remaining else { continue }
      remaining -= cost
      chosen.append(index)
    }
    return chosen
  }

  /// The primary message with as many of `broadcasts` as fit piggybacked
  /// (a compound), or the primary alone when none fit. Returns the packet
  /// and the indices of the broadcasts it carries.
  public func piggyback(_ primary: [UInt8], broadcasts: [[UInt8]]) -> (
    packet: [UInt8], carried: [Int]
  ) {
    let chosen = Self.select(
      broadcasts, space: space(afterPrimary: primary.count),
      maximumCount: Compound.maximumParts - 1)
    guard !chosen.isEmpty else { return (primary, []) }
    let parts = [primary] + chosen.map { broadcasts[$0] }
    // At most 255 parts and each within the budget, so this cannot fail.
    guard let packet = try? Compound.encode(parts) else { return (primary, []) }
    return (packet, chosen)
  }

  /// Splits `messages` into packets, in order: each packet is one bare
  /// message or a compound within the budget. A message that alone exceeds
  /// the budget goes out bare in a packet of its own.
  public func pack(_ messages: [[UInt8]]) -> [[UInt8]] {
    var packets: [[UInt8]] = []
    var batch: [[UInt8]] = []
    var batchSize = Compound.headerSize + overhead

    func flush() {
      if batch.count == 1 {
        packets.append(batch[0])
      } else if !batch.isEmpty {
        // Encoding fails only for a part over 64 KiB; then each goes bare.
        if let compound = try? Compound.encode(batch) {
          packets.append(compound)
        } else {
          packets += batch
        }
      }
      batch = []
      batchSize = Compound.headerSize + overhead
    }

    for message in messages {
      let cost = message.count + Compound.perPartOverhead
      if !batch.isEmpty && (batchSize + cost > budget || batch.count == Compound.maximumParts) {
        flush()
      }
      batch.append(message)
      batchSize += cost
    }
    flush()
    return packets
  }
}
