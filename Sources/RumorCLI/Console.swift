/// Where a command writes: standard output and standard error, as
/// closures so that tests can capture what a command prints.
struct Console {
  /// Writes one line to standard output.
  var out: (String) -> Void
  /// Writes one line to standard error.
  var err: (String) -> Void
}

/// A command-line failure: the one line to print and the exit status.
struct CommandError: Error {
  /// 2: the command line itself was wrong.
  static let usageStatus: Int32 = 2
  /// 1: the command ran and failed.
  static let failureStatus: Int32 = 1

  /// What went wrong, in one line (without the program name).
  var message: String
  /// The exit status.
  var status: Int32

  /// A usage error (exit 2), pointing at the command's help.
  static func usage(_ message: String, command: String) -> CommandError {
    CommandError(
      message: "\(message) (see 'rumor \(command) --help')", status: usageStatus)
  }

  /// A failure of the command (exit 1).
  static func failure(_ message: String) -> CommandError {
    CommandError(message: message, status: failureStatus)
  }
}
