/// A Consul-style blocking query's parameters: `?index=N&wait=30s`. The
/// request waits while the answer's index is still `index`, at most
/// `wait` (capped at `maximumWait`).
public struct BlockingQuery: Sendable, Hashable {
  /// The index the client last saw.
  public var index: UInt64
  /// How long to wait at most.
  public var wait: Duration

  /// The longest wait granted; longer ones are cut to it.
  public static let maximumWait: Duration = .seconds(300)
  /// The wait when `index` comes without one.
  public static let defaultWait: Duration = .seconds(300)

  /// Creates a query.
  public init(index: UInt64, wait: Duration) {
    self.index = index
    self.wait = wait
  }

  /// The blocking query `parameters` ask for: nil without `index`;
  /// throws a message for a bad index or wait.
  public static func parse(_ parameters: [String: String]) throws(BlockingQueryError)
    -> BlockingQuery?
  {
    guard let text = parameters["index"] else { return nil }
    guard let index = UInt64(text) else {
      throw BlockingQueryError("index must be a whole number, not '\(text)'")
    }
    guard let waitText = parameters["wait"] else {
      return BlockingQuery(index: index, wait: defaultWait)
    }
    return BlockingQuery(index: index, wait: min(try duration(waitText), maximumWait))
  }

  /// `250ms`, `30s`, `5m` or `1h`.
  static func duration(_ text: String) throws(BlockingQueryError) -> Duration {
    let units: [(suffix: String, scale: Int64)] = [
      ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000),
    ]
    for unit in units where text.hasSuffix(unit.suffix) {
      let digits = text.dropLast(unit.suffix.count)
      guard (1...9).contains(digits.count), digits.allSatisfy(\.isASCII),
        let value = Int64(digits), value >= 0
      else { break }
      return .milliseconds(value * unit.scale)
    }
    throw BlockingQueryError(
      "wait must be a number with a unit (250ms, 30s, 5m), not '\(text)'")
  }
}
