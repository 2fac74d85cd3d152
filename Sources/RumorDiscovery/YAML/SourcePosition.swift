/// A place in a configuration file: 1-based line and column.
///
/// Columns count Unicode scalars, so a position stays exact whatever the
/// text holds; for the ASCII that configuration files are made of it is
/// what every editor shows.
public struct SourcePosition: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int

  /// Creates a position.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `line:column`, the form compilers and editors use.
  public var description: String { "\(line):\(column)" }

  /// Earlier in the file first.
  public static func < (left: SourcePosition, right: SourcePosition) -> Bool {
    (left.line, left.column) < (right.line, right.column)
  }
}
