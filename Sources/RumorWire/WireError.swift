/// Why some bytes could not be decoded (or a value could not be encoded).
///
/// Every decoder in `RumorWire` is total: on bad input it throws a
/// `WireError` instead of trapping. The error says what was wrong and where:
/// `offset` is the byte position in the buffer named by `layer`
/// (`"input"` for the bytes the caller passed in; otherwise an inner buffer
/// such as the decompressed or decrypted payload, whose own position in the
/// input is given in the description).
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The broad class of a problem, for counting and for choosing a reaction.
  public enum Kind: String, Hashable, Sendable {
    /// The input ended before the value did. On a stream, reading more may help.
    case truncated
    /// The bytes are not a valid encoding.
    case malformed
    /// A value is well formed but outside what Rumor or memberlist accepts.
    case unsupported
    /// A length or count is above a receive limit.
    case tooLarge
    /// No key in the keyring authenticates the ciphertext.
    case authentication
    /// A CRC-32 did not match.
    case checksum
    /// The label header is missing, malformed or not the expected one.
    case label
    /// A value cannot be encoded (for example node meta above 512 bytes).
    case encoding
  }

  /// The broad class of the problem.
  public var kind: Kind
  /// What was wrong, in words.
  public var reason: String
  /// Byte position of the problem, counted in the buffer named by `layer`.
  public var offset: Int
  /// The chain of enclosing layers, outermost first, for inner buffers.
  /// Empty when `offset` counts bytes of the caller's input.
  public var layers: [String]

  /// Creates an error at `offset` of the current buffer.
  public init(_ kind: Kind, _ reason: String, at offset: Int) {
    self.kind = kind
    self.reason = reason
    self.offset = offset
    self.layers = []
  }

  /// The same error, seen from the buffer that contains the inner one.
  ///
  /// `name` names the inner buffer ("decompressed payload") and `outerOffset`
  /// is where that inner buffer's encoding starts in the outer one.
  func inside(_ name: String, at outerOffset: Int) -> WireError {
    var copy = self
    copy.layers.insert("\(name) (from byte \(outerOffset))", at: 0)
    return copy
  }

  /// One line: what is wrong and at which byte.
  public var description: String {
    // An encoding error concerns a value, not a position in any input.
    guard kind != .encoding else { return reason }
    var text = "\(reason) at byte \(offset)"
    if !layers.isEmpty {
      text += " of the " + layers.reversed().joined(separator: " in the ")
    }
    return text
  }
}
