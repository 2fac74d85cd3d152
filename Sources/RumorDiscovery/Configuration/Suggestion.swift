/// "Did you mean ...?": the known word closest to a misspelt one.
public enum Suggestion {
  /// The candidate nearest to `word`, if one is near enough to be a typo
  /// of it: the same word up to case and `-`/`_`, or within an edit
  /// distance of one per three letters (at least one, at most three).
  public static func closest(to word: String, among candidates: [String]) -> String? {
    let normalized = normalize(word)
    if let same = candidates.first(where: { normalize($0) == normalized }) { return same }
    let limit = min(3, max(1, normalized.count / 3))
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
      let distance = editDistance(normalized, normalize(candidate))
      if distance <= limit, distance < (best?.distance ?? Int.max) {
        best = (candidate, distance)
      }
    }
    return best?.candidate
  }

  private static func normalize(_ text: String) -> [Character] {
    Array(text.lowercased().map { $0 == "-" ? "_" : $0 })
  }

  /// Levenshtein distance, with adjacent swaps counting as one edit (the
  /// typo people make most).
  static func editDistance(_ left: [Character], _ right: [Character]) -> Int {
    if left.isEmpty { return right.count }
    if right.isEmpty { return left.count }
    var previousRow = Array(0...right.count)
    var beforePrevious = previousRow
    var row = previousRow
    for i in 1...left.count {
      row[0] = i
      for j in 1...right.count {
        let cost = left[i - 1] == right[j - 1] ? 0 : 1
        row[j] = min(previousRow[j] + 1, row[j - 1] + 1, previousRow[j - 1] + cost)
        if i > 1, j > 1, left[i - 1] == right[j - 2], left[i - 2] == right[j - 1] {
          row[j] = min(row[j], beforePrevious[j - 2] + 1)
        }
      }
      beforePrevious = previousRow
      previousRow = row
    }
    return row[right.count]
  }
}
