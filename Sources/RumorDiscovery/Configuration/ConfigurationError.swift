/// One thing wrong with the configuration, and where it came from: a place
/// in a file (printed `file:line:column: message`, so editors jump to it)
/// or an environment variable.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Where the wrong value came from.
  public enum Location: Hashable, Sendable {
    /// A file, at a position when the problem has one (a file that cannot
    /// be read has none).
    case file(String, SourcePosition?)
    /// An environment variable, by name.
    case environment(String)
  }

  /// Where the wrong value came from.
  public var location: Location
  /// What is wrong and what to do about it; for file errors it starts with
  /// the key path (`services.redis.port: ...`).
  public var message: String

  /// Creates an error.
  public init(_ location: Location, _ message: String) {
    self.location = location
    self.message = message
  }

  /// The error a YAML syntax error becomes.
  public init(_ error: YAMLError) {
    self.init(.file(error.file, error.position), error.message)
  }

  /// The position in the file, if the error has one.
  public var position: SourcePosition? {
    guard case .file(_, let position) = location else { return nil }
    return position
  }

  /// `file:line:column: message`, `file: message` or
  /// `environment VARIABLE: message`.
  public var description: String {
    switch location {
    case .file(let file, let position?): "\(file):\(position): \(message)"
    case .file(let file, nil): "\(file): \(message)"
    case .environment(let variable): "environment \(variable): \(message)"
    }
  }
}

/// Every error found in a configuration: decoding goes on after the
/// first, so that one run shows all that needs fixing.
public struct ConfigurationErrors: Error, Hashable, Sendable, CustomStringConvertible {
  /// The errors, in file order, then environment errors.
  public var errors: [ConfigurationError]

  /// Wraps a list of errors.
  public init(_ errors: [ConfigurationError]) {
    self.errors = errors
  }

  /// One error per line.
  public var description: String { errors.map(\.description).joined(separator: "\n") }
}
