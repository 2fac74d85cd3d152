extension RandomAccessCollection where Index == Int {
  /// In a collection sorted by `keyOf`, the first index whose element's
  /// key is not below `key` (binary search): where an element with that
  /// key is, or would be inserted. Shared by the Serf push-pull merge and
  /// the discovery catalog.
  package func lowerBound<Key: Comparable>(of key: Key, by keyOf: (Element) -> Key) -> Int {
    var low = startIndex
    var high = endIndex
    while low < high {
      let middle = low + (high - low) / 2
      if keyOf(self[middle]) < key {
        low = middle + 1
      } else {
        high = middle
      }
    }
    return low
  }
}
