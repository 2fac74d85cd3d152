/// The arguments of one command, parsed against the options it declares.
///
/// Accepts `--name value` and `--name=value`, and for a switch `--name`
/// or `--name=true|false` (also on/off, yes/no); a bare `--` ends options.
/// Anything not declared is a usage error naming the culprit, so a typo
/// never silently changes what a command does.
public struct ArgumentList {
  /// An option a command accepts.
  public struct Option: Sendable {
    /// The name without dashes.
    public var name: String
    /// Whether the option takes a value.
    public var takesValue: Bool
    /// Whether the option is a switch: on when given bare, or set by an
    /// inline boolean (`--name=false`).
    public var isSwitch = false

    /// Declares an option.
    public init(name: String, takesValue: Bool) {
      self.name = name
      self.takesValue = takesValue
    }

    /// Declares a switch: `--name` turns it on, `--name=false` off.
    public static func toggle(_ name: String) -> Option {
      var option = Option(name: name, takesValue: false)
      option.isSwitch = true
      return option
    }
  }

  /// The command's name, for error messages.
  public let command: String
  private var values: [String: [String]] = [:]
  private var flags: Set<String> = []
  private var switches: [String: Bool] = [:]
  /// Arguments that are not options, in order.
  public private(set) var positional: [String] = []

  /// Parses `arguments` against `options`; `--help` and `-h` are always
  /// accepted.
  public init(_ arguments: [String], command: String, options: [Option]) throws(CommandError) {
    self.command = command
    let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var index = 0
    var optionsEnded = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
        positional.append(argument)
        continue
      }
      if argument == "--" {
        optionsEnded = true
        continue
      }
      if argument == "-h" || argument == "--help" {
        flags.insert("help")
        continue
      }
      let body = argument.drop { $0 == "-" }
      let name = String(body.prefix { $0 != "=" })
      let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
      guard let option = byName[name] else {
        throw .usage("unknown option '\(argument)'", command: command)
      }
      if option.isSwitch {
        guard switches[name] == nil else {
          throw .usage("option --\(name) is given twice", command: command)
        }
        guard let inline else {
          switches[name] = true
          continue
        }
        guard let value = Self.boolean(inline) else {
          throw .usage(
            "option --\(name) wants true or false (or on/off, yes/no), not '\(inline)'",
            command: command)
        }
        switches[name] = value
        continue
      }
      guard option.takesValue else {
        if inline != nil {
          throw .usage("option --\(name) takes no value", command: command)
        }
        flags.insert(name)
        continue
      }
      if let inline {
        values[name, default: []].append(inline)
      } else if index < arguments.count {
        values[name, default: []].append(arguments[index])
        index += 1
      } else {
        throw .usage("option --\(name) needs a value", command: command)
      }
    }
  }

  /// Whether help was asked for.
  public var wantsHelp: Bool { flags.contains("help") }

  /// Whether a flag was given.
  public func flag(_ name: String) -> Bool { flags.contains(name) }

  /// A switch's setting: nil when not given.
  public func toggle(_ name: String) -> Bool? { switches[name] }

  /// `text` as a boolean, for switches and boolean settings alike.
  static func boolean(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "on", "yes", "1": true
    case "false", "off", "no", "0": false
    default: nil
    }
  }

  /// Every value given for a repeatable option, in order.
  public func values(_ name: String) -> [String] { values[name] ?? [] }

  /// The value of an option given at most once.
  public func value(_ name: String) throws(CommandError) -> String? {
    let given = values(name)
    guard given.count <= 1 else {
      throw .usage("option --\(name) is given \(given.count) times", command: command)
    }
    return given.first
  }

  /// Refuses positional arguments beyond `count`.
  public func expectPositional(atMost count: Int) throws(CommandError) {
    guard positional.count <= count else {
      throw .usage("unexpected argument '\(positional[count])'", command: command)
    }
  }
}
