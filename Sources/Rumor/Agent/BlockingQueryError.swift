/// A bad `index` or `wait` parameter.
public struct BlockingQueryError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var description: String
  init(_ description: String) { self.description = description }
}
