import CommandLineSupport

/// One benchmark's command line, parsed with `ArgumentList`: every
/// benchmark takes `--json`, `--quick` and `--help`, declares its other
/// options, and reads counts and lists of counts the same way.
struct BenchArguments {
  /// The command as typed, for messages: "rumor-bench core".
  let command: String
  private let parsed: ArgumentList

  /// Parses the arguments after the benchmark's name against `options`
  /// and the three common flags; positional arguments are refused.
  /// `command` is the command as typed, for messages.
  init(_ arguments: [String], command: String, options: [ArgumentList.Option] = [])
    throws(CommandError)
  {
    self.command = command
    let common = [
      ArgumentList.Option(name: "json", takesValue: false),
      ArgumentList.Option(name: "quick", takesValue: false),
    ]
    parsed = try ArgumentList(arguments, command: command, options: common + options)
    try parsed.expectPositional(atMost: 0)
  }

  /// `--help` or `-h` was given.
  var help: Bool { parsed.wantsHelp }
  /// `--json`: one JSON object instead of the tables.
  var json: Bool { parsed.flag("json") }
  /// `--quick`: short runs, a smoke test rather than figures to quote.
  var quick: Bool { parsed.flag("quick") }

  /// Whether the flag `--name` was given.
  func flag(_ name: String) -> Bool { parsed.flag(name) }

  /// The value of `--name` as a count in `range` (underscores and commas
  /// allowed as separators: 1_000_000, 1,000,000), or nil if absent.
  func count(_ name: String, in range: ClosedRange<Int>) throws(CommandError) -> Int? {
    guard let text = try parsed.value(name) else { return nil }
    let digits = text.filter { $0 != "_" && $0 != "," }
    guard let value = Int(digits), range.contains(value) else {
      throw .usage(
        "--\(name): '\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)",
        command: command)
    }
    return value
  }

  /// The value of `--name` as a comma-separated list of counts in `range`
  /// (underscores allowed), ascending and without repeats, or nil if absent.
  func counts(_ name: String, in range: ClosedRange<Int>) throws(CommandError) -> [Int]? {
    guard let text = try parsed.value(name) else { return nil }
    var values: [Int] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let digits = item.filter { $0 != "_" }
      guard let value = Int(digits), range.contains(value) else {
        throw .usage(
          "--\(name): '\(item)' is not a size from \(range.lowerBound) to \(range.upperBound)",
          command: command)
      }
      values.append(value)
    }
    return Array(Set(values)).sorted()
  }
}
