/// Where an effective setting came from, so that `rumor config show` can
/// answer "why is it this value?".
public enum ValueOrigin: Hashable, Sendable, CustomStringConvertible {
  /// A configuration file, at the value's position.
  case file(String, SourcePosition)
  /// An environment variable, by name.
  case environment(String)
  /// Found out from the machine (the mode detection rule that matched, the
  /// pod's namespace file, the host name).
  case detected(String)
  /// The deployment mode's convention (a host name pattern, a default port).
  case convention(String)
  /// Rumor's built-in default.
  case builtIn

  /// `file.yml:3:9`, `environment REDIS_HOST`, `detected: ...`, ...
  public var description: String {
    switch self {
    case .file(let file, let position): "\(file):\(position)"
    case .environment(let variable): "environment \(variable)"
    case .detected(let how): "detected: \(how)"
    case .convention(let which): "convention: \(which)"
    case .builtIn: "default"
    }
  }
}
