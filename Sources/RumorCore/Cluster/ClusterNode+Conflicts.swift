import RumorWire

extension ClusterNode {
  /// Answers Serf's `_serf_conflict` query (Serf's `handleConflict`): the
  /// payload is a member name, and the answer is the record this node
  /// knows for it, in Serf's `Member` encoding (nil when it knows none).
  /// A query about this node's own name is not answered, as in Serf: the
  /// asker wants the others' view.
  mutating func answerConflictQuery(_ query: IncomingQuery, now: Timestamp) -> [Effect] {
    let subject = String(decoding: query.payload, as: UTF8.self)
    guard subject != name else { return [] }
    serfLayer?.counters.conflictQueriesAnswered += 1
    let payload = SerfConflictResponse.encode(conflictRecord(for: subject))
    return (try? respond(to: query, payload: payload, now: now)) ?? []
  }

  /// What this node knows about `member`, as Serf's `Member`: SWIM's
  /// address, tags and versions with Serf's status; nil for a name it
  /// does not know (or one Serf already forgot).
  func conflictRecord(for member: String) -> SerfConflictMember? {
    guard let known = swim.member(named: member) ?? lostMembers[member],
      let status = serfStatus(of: member)
    else { return nil }
    return SerfConflictMember(
      name: known.name, addr: known.address.ipBytes, port: known.address.port,
      tags: (try? SerfTags.decode(known.meta)) ?? [:], status: Int64(status.rawValue),
      versions: Array(known.versions.bytes))
  }

  /// Takes SWIM's name conflicts (memberlist's conflict delegate, Serf's
  /// `handleNodeConflict`): a conflict over another member's name is only
  /// counted (SWIM kept the address it knew); one over this node's own
  /// name starts a `_serf_conflict` query, unless one is under way or
  /// `SerfSettings.resolvesNameConflicts` is off.
  mutating func resolveNameConflicts(now: Timestamp) -> [Effect] {
    let conflicts = swim.takeNameConflicts()
    guard !conflicts.isEmpty, let settings = serfLayer?.settings else { return [] }
    serfLayer?.counters.nameConflicts += conflicts.count
    guard settings.resolvesNameConflicts, conflictVote == nil, !hasFinishedLeaving,
      let mine = conflicts.first(where: { $0.member == name })
    else { return [] }
    guard
      let (handle, effects) = try? sendQuery(
        name: SerfConflictResponse.queryName, payload: Array(name.utf8), now: now)
    else { return [] }
    conflictVote = NameConflictVote(handle: handle, address: swim.address, claimedBy: mine.claimed)
    return countConflictVotes(effects)
  }

  /// Takes the replies to the conflict query out of `effects` and counts
  /// them; at the query's end, a lost vote becomes
  /// `Effect.nameConflictLost`. Other effects pass through.
  mutating func countConflictVotes(_ effects: [Effect]) -> [Effect] {
    guard var vote = conflictVote else { return effects }
    var output: [Effect] = []
    var finished = false
    for effect in effects {
      guard !finished, case .queryReply(let reply) = effect, reply.handle == vote.handle else {
        output.append(effect)
        continue
      }
      switch reply {
      case .ack: break
      case .response(_, _, let payload): vote.count(payload)
      case .finished:
        finished = true
        if vote.isWon {
          serfLayer?.counters.nameConflictsWon += 1
        } else {
          serfLayer?.counters.nameConflictsLost += 1
          output.append(.nameConflictLost(vote))
        }
      }
    }
    conflictVote = finished ? nil : vote
    return output
  }
}
