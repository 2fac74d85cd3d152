import RumorWire

/// The count of one `_serf_conflict` query about this node's own name
/// (Serf's `resolveNodeConflict`): every member that answers says which
/// address it knows for the name, and this node keeps its name only if a
/// majority of the answers is its own address.
public struct NameConflictVote: Hashable, Sendable {
  /// The query.
  public var handle: QueryHandle
  /// This node's address, the one the answers are compared with.
  public var address: NodeAddress
  /// The other address that claimed the name.
  public var claimedBy: NodeAddress
  /// Answers that decoded (a member that knows no record for the name
  /// counts as an answer against, as in Serf).
  public private(set) var responses = 0
  /// Answers that name this node's address.
  public private(set) var matching = 0
  /// Answers that did not decode, dropped.
  public private(set) var malformed = 0

  /// A vote on `handle` about `address`.
  public init(handle: QueryHandle, address: NodeAddress, claimedBy: NodeAddress) {
    self.handle = handle
    self.address = address
    self.claimedBy = claimedBy
  }

  /// Counts one member's answer.
  public mutating func count(_ payload: [UInt8]) {
    let member: SerfConflictMember?
    do {
      member = try SerfConflictResponse.decode(payload)
    } catch {
      malformed += 1
      return
    }
    responses += 1
    if let member, let known = NodeAddress(ip: member.addr, port: member.port), known == address {
      matching += 1
    }
  }

  /// Serf's rule: at least half the answers plus one (so no answer at all
  /// loses).
  public var isWon: Bool { matching >= responses / 2 + 1 }

  /// "m of n answers".
  public var summary: String { "\(matching) of \(responses) answers name this node's address" }
}
