import RumorCore

/// What the core benchmark's calls contribute to the digest.
extension Digest {
  /// The effects of one call: their kinds and sizes.
  static func effects(_ effects: [Effect]) -> UInt64 {
    var digest = UInt64(effects.count)
    for effect in effects {
      let value: UInt64
      switch effect {
      case .send(let bytes, _): value = 1 << 32 | UInt64(bytes.count)
      case .openStream(let id, _, let request, _, _): value = 2 << 32 | id ^ UInt64(request.count)
      case .event(let event): value = 3 << 32 | UInt64(event.member.incarnation)
      case .deliver: value = 4 << 32
      case .joinFinished(_, let error): value = 5 << 32 | UInt64(error?.utf8.count ?? 0)
      case .leaveFinished: value = 6 << 32
      case .nameConflictLost(let vote): value = 10 << 32 | UInt64(vote.handle.id)
      case .userEvent(let event): value = 7 << 32 | event.lamportTime
      case .query(let query): value = 8 << 32 | UInt64(query.id)
      case .queryReply(let reply): value = 9 << 32 | UInt64(reply.handle.id)
      }
      digest = mix(digest, value)
    }
    return digest
  }
}
