/// Where a command writes: standard output and standard error, as
/// closures so that tests can capture what a command prints.
public struct Console: Sendable {
  /// Writes one line to standard output.
  public var out: @Sendable (String) -> Void
  /// Writes one line to standard error.
  public var err: @Sendable (String) -> Void

  /// Creates a console from two line writers.
  public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void)
  {
    self.out = out
    self.err = err
  }
}

/// A command-line failure: the one line to print and the exit status.
public struct CommandError: Error {
  /// 2: the command line itself was wrong.
  public static let usageStatus: Int32 = 2
  /// 1: the command ran and failed.
  public static let failureStatus: Int32 = 1

  /// What went wrong, in one line (without the program name).
  public var message: String
  /// The exit status.
  public var status: Int32

  /// A usage error (exit 2), pointing at the command's help; `command`
  /// is the command as typed ("rumor decode", "rumor-sim").
  public static func usage(_ message: String, command: String) -> CommandError {
    CommandError(
      message: "\(message) (see '\(command) --help')", status: usageStatus)
  }

  /// A failure of the command (exit 1).
  public static func failure(_ message: String) -> CommandError {
    CommandError(message: message, status: failureStatus)
  }

  /// Creates an error.
  public init(message: String, status: Int32) {
    self.message = message
    self.status = status
  }
}
