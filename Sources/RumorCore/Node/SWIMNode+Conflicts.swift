extension SWIMNode {
  /// Counts a conflict and keeps it for the layer above, up to
  /// `NameConflict.pendingLimit` until taken.
  mutating func noteConflict(_ conflict: NameConflict) {
    counters.nameConflicts += 1
    guard nameConflicts.count < NameConflict.pendingLimit else { return }
    nameConflicts.append(conflict)
  }

  /// The name conflicts seen since the last call, oldest first.
  public mutating func takeNameConflicts() -> [NameConflict] {
    guard !nameConflicts.isEmpty else { return [] }
    defer { nameConflicts = [] }
    return nameConflicts
  }
}
