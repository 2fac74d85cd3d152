import CommandLineSupport

/// What every benchmark's options provide, so that one function turns a
/// command line into options, the help text or a usage error.
protocol BenchmarkOptions {
  /// The command as typed, for messages: "rumor-bench core".
  static var command: String { get }
  /// The text `--help` prints.
  static var usage: String { get }
  /// Parses the arguments after the benchmark's name.
  static func parse(_ arguments: [String]) throws(CommandError) -> Self
  /// `--help` was given.
  var help: Bool { get }
}

/// The benchmark ends before it runs, with this exit status.
struct EarlyExit: Error {
  /// 0 after `--help`, 2 for a wrong command line.
  let status: Int32
}

extension BenchmarkOptions {
  /// The options to run with, or the exit status after printing the help
  /// text (`--help`) or what is wrong with the command line.
  static func read(_ arguments: [String]) -> Result<Self, EarlyExit> {
    do {
      let options = try parse(arguments)
      guard !options.help else {
        print(usage, terminator: "")
        return .failure(EarlyExit(status: 0))
      }
      return .success(options)
    } catch {
      StandardError.emit("\(command): \(error.message)")
      return .failure(EarlyExit(status: error.status))
    }
  }
}
