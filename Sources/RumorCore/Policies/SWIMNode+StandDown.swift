/// Standing down (`Policies.standDown`, beyond memberlist): a node
/// whose local health has been at its worst for that long takes itself to
/// be the failing part. It stops accusing others, refuting accusations
/// against itself and starting push-pulls (which would hand its alive
/// record to members that have it dead), so the cluster removes it once
/// instead of taking it back after every refutation (Rapid's gray
/// failures: a member that loses most of its packets still gets enough
/// refutations through to stay in, and keeps every view changing). It
/// speaks up again once its health is perfect.
extension SWIMNode {
  /// Moves the local health score by `delta` (Lifeguard) and re-evaluates
  /// whether this node stands down.
  mutating func adjustHealth(_ delta: Int, now: Int64) {
    awareness.apply(delta, now: now)
    updateStanding(now: now)
  }

  /// Starts standing down once the health score has been at its ceiling
  /// for `Policies.standDown`; stops when it is back to 0, and then
  /// refutes the highest accusation it let pass, in case the cluster took
  /// it.
  mutating func updateStanding(now: Int64) {
    guard standing.threshold > 0 else { return }
    if !isStandingDown {
      guard let since = awareness.saturatedSince,
        now.subtractingSaturating(since) >= standing.threshold
      else { return }
      standing.isStandingDown = true
      counters.standDowns += 1
      emit(.stoodDown(table.member(of: localRecord)))
    } else if awareness.score == 0 {
      standing.isStandingDown = false
      emit(.resumed(table.member(of: localRecord)))
      if let accused = standing.withheldAccusation {
        standing.withheldAccusation = nil
        refute(accusedIncarnation: accused, now: now)
      }
    }
  }

  /// Answers an accusation against this node (a suspect or dead message
  /// about it at `accusedIncarnation`): a refutation, unless this node
  /// stands down, in which case it lets the accusation stand.
  mutating func answerAccusation(accusedIncarnation: UInt32, now: Int64) {
    updateStanding(now: now)
    guard isStandingDown else {
      refute(accusedIncarnation: accusedIncarnation, now: now)
      return
    }
    counters.refutationsWithheld += 1
    standing.withheldAccusation = max(standing.withheldAccusation ?? 0, accusedIncarnation)
  }
}
