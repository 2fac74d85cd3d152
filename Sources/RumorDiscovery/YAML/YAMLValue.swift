/// A node of a parsed YAML document, with where it came from.
///
/// Only what block-style configuration files need: scalars (kept as text;
/// the configuration decides what a value means by its key), maps in file
/// order, lists, and the empty value of a `key:` with nothing after it.
public struct YAMLValue: Hashable, Sendable {
  /// What the node holds.
  public enum Content: Hashable, Sendable {
    /// `key:` with no value on its line and nothing nested below it.
    case empty
    /// A scalar's text, escapes already resolved, and how it was written.
    case scalar(String, ScalarStyle)
    /// A map, entries in file order (keys are unique).
    case map([Entry])
    /// A list, items in file order.
    case list([YAMLValue])
  }

  /// How a scalar was written. Kept because a quoted `"6379"` is meant as
  /// text and a plain `6379` as a number, and messages can say which.
  public enum ScalarStyle: Hashable, Sendable {
    /// Unquoted.
    case plain
    /// In single quotes (`''` stands for one quote).
    case singleQuoted
    /// In double quotes, with backslash escapes.
    case doubleQuoted
  }

  /// One `key: value` of a map.
  public struct Entry: Hashable, Sendable {
    /// The key's text.
    public var key: String
    /// Where the key starts.
    public var keyPosition: SourcePosition
    /// The value.
    public var value: YAMLValue

    /// Creates an entry.
    public init(key: String, keyPosition: SourcePosition, value: YAMLValue) {
      self.key = key
      self.keyPosition = keyPosition
      self.value = value
    }
  }

  /// The node itself.
  public var content: Content
  /// Where the node starts: its first character, first key or first dash.
  public var position: SourcePosition

  /// Creates a node.
  public init(_ content: Content, at position: SourcePosition) {
    self.content = content
    self.position = position
  }

  /// The text of a scalar; nil for anything else.
  public var scalar: String? {
    guard case .scalar(let text, _) = content else { return nil }
    return text
  }

  /// The value of `key` in a map; nil if absent or not a map.
  public subscript(key: String) -> YAMLValue? {
    guard case .map(let entries) = content else { return nil }
    return entries.first { $0.key == key }?.value
  }

  /// What kind of node this is, for messages ("a list", "a map", ...).
  public var kindDescription: String {
    switch content {
    case .empty: "nothing"
    case .scalar: "a single value"
    case .map: "a map"
    case .list: "a list"
    }
  }
}
