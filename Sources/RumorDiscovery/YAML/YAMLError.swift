/// Why a text is not in the YAML subset Rumor reads, and where.
///
/// Printed as `file:line:column: message`, so editors and terminals can
/// jump to it; the message says what to write instead.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file name as given to the parser.
  public var file: String
  /// Where the problem is.
  public var position: SourcePosition
  /// What is wrong and what to do about it.
  public var message: String

  /// Creates an error.
  public init(file: String, position: SourcePosition, message: String) {
    self.file = file
    self.position = position
    self.message = message
  }

  /// `file:line:column: message`.
  public var description: String { "\(file):\(position): \(message)" }
}
